import { describe, expect, it } from "vitest";
import manifest from "../../../stripe-app.json";
import { BACKEND_URL } from "./config";

// The manifest at the repository root and these views must agree, or the Dashboard shows nothing.
describe("stripe-app.json", () => {
  it("declares the five views, each a default-exported component in src/views", async () => {
    expect(manifest.ui_extension.views.map((v) => v.viewport).sort()).toEqual(
      ["onboarding", "settings", "stripe.dashboard.customer.detail", "stripe.dashboard.drawer.default", "stripe.dashboard.invoice.detail"].sort(),
    );
    for (const view of manifest.ui_extension.views) {
      const mod = (await import(`./views/${view.component}.tsx`)) as { default?: unknown };
      expect({ component: view.component, type: typeof mod.default }).toEqual({ component: view.component, type: "function" });
    }
  });

  it("lets the views reach the backend they call, and only that", () => {
    expect(manifest.ui_extension.content_security_policy["connect-src"]).toEqual([`${BACKEND_URL}/`]);
    expect(manifest.ui_extension.content_security_policy.purpose.length).toBeGreaterThan(20);
  });

  it("gives every permission a purpose", () => {
    for (const p of manifest.permissions) expect(p.purpose.length, p.permission).toBeGreaterThan(10);
  });
});
