import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stageStripeApp } from "./stage-stripe-app";

const root = process.cwd();
const scratch = mkdtempSync(path.join(tmpdir(), "recoup-stripe-app-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("staging the Stripe App for the Stripe CLI", () => {
  const outDir = path.join(scratch, "app");
  const result = stageStripeApp({ root, outDir, appUrl: "https://recoup.acme.test/some/path" });
  const manifest = JSON.parse(readFileSync(path.join(outDir, "stripe-app.json"), "utf8")) as {
    icon: string;
    allowed_redirect_uris: string[];
    ui_extension: { views: Array<{ component: string }>; content_security_policy: { "connect-src": string[] } };
  };

  it("puts every view the manifest names in src/views beside it, with the icon, and no tests", () => {
    expect(manifest.ui_extension.views).toHaveLength(5);
    for (const view of manifest.ui_extension.views) expect(existsSync(path.join(outDir, "src/views", `${view.component}.tsx`)), view.component).toBe(true);
    expect(existsSync(path.join(outDir, manifest.icon))).toBe(true);
    expect(existsSync(path.join(outDir, "src/views/Drawer.test.tsx"))).toBe(false);
    expect(result.views).toContain("src/views/Drawer.tsx");
  });

  it("points the manifest's connect-src, its redirect and the views' backend at the given host", () => {
    expect(result.appUrl).toBe("https://recoup.acme.test");
    expect(manifest.ui_extension.content_security_policy["connect-src"]).toEqual(["https://recoup.acme.test/api/stripe-app/"]);
    expect(manifest.allowed_redirect_uris).toEqual(["https://recoup.acme.test/dashboard"]);
    const config = readFileSync(path.join(outDir, "src/config.ts"), "utf8");
    expect(config).toContain('BACKEND_URL = "https://recoup.acme.test/api/stripe-app"');
    // The repository's own files are untouched.
    expect(readFileSync(path.join(root, "extensions/stripe-app/src/config.ts"), "utf8")).toContain("https://recoup.example.com/api/stripe-app");
  });

  it("declares the SDK and React at the versions used here, and type-checks on its own", () => {
    const pkg = JSON.parse(readFileSync(path.join(outDir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const rootPkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["@stripe/ui-extension-sdk"]).toBe(rootPkg.dependencies["@stripe/ui-extension-sdk"]);
    expect(pkg.dependencies.react).toBe(rootPkg.dependencies.react);
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    expect(() => execFileSync(process.execPath, [tsc, "-p", outDir, "--noEmit"], { stdio: "pipe" })).not.toThrow();
  });

  it("refuses a backend the Dashboard would block", () => {
    expect(() => stageStripeApp({ root, outDir: path.join(scratch, "bad"), appUrl: "http://recoup.acme.test" })).toThrow(/only calls https/);
    expect(() => stageStripeApp({ root, outDir: path.join(scratch, "bad"), appUrl: "recoup" })).toThrow(/not a URL/);
  });
});
