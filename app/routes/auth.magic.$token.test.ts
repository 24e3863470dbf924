import { afterEach, describe, expect, it } from "vitest";
import { createSignInLink, findSession } from "~/domain/auth/sessions.server";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../../tests/factories";
import * as logout from "./auth.logout";
import { loader } from "./auth.magic.$token";

const APP_URL = process.env.APP_URL;
afterEach(() => {
  if (APP_URL === undefined) delete process.env.APP_URL;
  else process.env.APP_URL = APP_URL;
  resetEnv();
});

async function signInToken(hours?: number) {
  const { workspace, owner } = await makeWorkspace();
  const link = await createSignInLink({ userId: owner.id, workspaceId: workspace.id, appUrl: "http://localhost:3000", hours });
  return { workspace, token: link.split("/auth/magic/")[1]! };
}

const open = (token: string, headers: Record<string, string> = {}) =>
  loader({ request: new Request(`http://localhost/auth/magic/${token}`, { headers }), params: { token: token.split("?")[0] }, context: {} });

const cookieToken = (setCookie: string | null) => /^recoup_session=([^;]+);/.exec(setCookie ?? "")?.[1];

describe("GET /auth/magic/:token", () => {
  it("sets the session cookie once and sends the merchant to the dashboard", async () => {
    const { workspace, token } = await signInToken();
    const res = await open(token);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard");
    const setCookie = res.headers.get("set-cookie");
    expect(setCookie).toMatch(/^recoup_session=rs_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie!)![1]);
    expect(Math.abs(maxAge - 30 * 86400)).toBeLessThan(60);
    const session = await findSession(decodeURIComponent(cookieToken(setCookie)!));
    expect(session?.workspaceId).toBe(workspace.id);

    const again = await open(token);
    expect(again.status).toBe(302);
    expect(again.headers.get("location")).toBe("/auth/sign-in?expired=1&redirectTo=%2Fdashboard");
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("lands on the page the sign-in was asked from: a path on this server, never another site", async () => {
    const { token } = await signInToken();
    const back = await open(`${token}?redirectTo=${encodeURIComponent("/dashboard/settings?tab=team")}`);
    expect(back.headers.get("location")).toBe("/dashboard/settings?tab=team");
    expect(back.headers.get("set-cookie")).toMatch(/^recoup_session=/);
    for (const evil of ["https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
      const { token: t } = await signInToken();
      expect((await open(`${t}?redirectTo=${encodeURIComponent(evil)}`)).headers.get("location")).toBe("/dashboard");
    }
  });

  it("refuses an expired or unknown link", async () => {
    const { token } = await signInToken(-1);
    for (const t of [token, "not-a-token"]) {
      const res = await open(t);
      expect(res.headers.get("location")).toBe("/auth/sign-in?expired=1&redirectTo=%2Fdashboard");
      expect(res.headers.get("set-cookie")).toBeNull();
    }
  });

  it("a used link opened again by the signed-in merchant just goes to the dashboard", async () => {
    const { token } = await signInToken();
    const first = await open(token);
    const cookie = first.headers.get("set-cookie")!.split(";")[0]!;
    const again = await open(token, { cookie });
    expect(again.headers.get("location")).toBe("/dashboard");
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("marks the cookie Secure when the app is served over https", async () => {
    process.env.APP_URL = "https://recoup.example.com";
    resetEnv();
    const { token } = await signInToken();
    expect((await open(token)).headers.get("set-cookie")).toMatch(/; Secure$/);
  });
});

describe("POST /auth/logout", () => {
  it("ends the session and clears the cookie", async () => {
    const { token } = await signInToken();
    const cookie = (await open(token)).headers.get("set-cookie")!.split(";")[0]!;
    const session = decodeURIComponent(cookieToken(`${cookie};`)!);
    expect(await findSession(session)).not.toBeNull();

    const res = await logout.action({ request: new Request("http://localhost/auth/logout", { method: "POST", headers: { cookie } }), params: {}, context: {} });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard");
    expect(res.headers.get("set-cookie")).toMatch(/^recoup_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/);
    expect(await findSession(session)).toBeNull();
  });

  it("a GET signs nobody out", async () => {
    const res = logout.loader();
    expect(res.status).toBe(302);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});
