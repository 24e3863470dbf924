import { describe, expect, it } from "vitest";
import { safeRedirectTo, signInUrlFor } from "./redirect-to";

describe("safeRedirectTo", () => {
  it("keeps a path on this server, query and hash included", () => {
    expect(safeRedirectTo("/dashboard/recoveries/abc?window=30d#t")).toBe("/dashboard/recoveries/abc?window=30d#t");
    expect(safeRedirectTo("/outbox")).toBe("/outbox");
  });

  it("refuses anything that could leave the server: the dashboard instead", () => {
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "dashboard", "/\t/evil.example", "", null, undefined]) {
      expect(safeRedirectTo(bad)).toBe("/dashboard");
    }
  });
});

describe("signInUrlFor", () => {
  it("asks the sign-in page to come back to the page asked for", () => {
    expect(signInUrlFor(new Request("http://localhost/dashboard/settings?tab=team"))).toBe(
      "/auth/sign-in?redirectTo=%2Fdashboard%2Fsettings%3Ftab%3Dteam",
    );
  });
});
