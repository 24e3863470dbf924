import { beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../../tests/factories";
import { useFakeSmtp } from "../../tests/helpers/smtp";
import { signInEmailsSettled } from "~/domain/auth/sign-in.server";
import * as route from "./auth.sign-in";

const smtp = useFakeSmtp();
beforeAll(() => {
  process.env.APP_URL = "http://recoup.test";
  resetEnv();
});

function submit(email: string, redirectTo?: string) {
  const body = new URLSearchParams({ email, ...(redirectTo ? { redirectTo } : {}) });
  const request = new Request("http://localhost/auth/sign-in", { method: "POST", body });
  return route.action({ request, params: {}, context: {} });
}

describe("the sign-in page", () => {
  it("answers a known and an unknown address alike; only the known one gets an email", async () => {
    await makeWorkspace({ ownerEmail: "page-owner@example.com" });
    const known = await submit("page-owner@example.com");
    const unknown = await submit("stranger@example.com");
    expect({ ...known, email: "" }).toEqual({ ...unknown, email: "" });
    expect(known).toMatchObject({ sent: true, message: expect.stringContaining("a sign-in link is on its way") });

    await signInEmailsSettled();
    const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes("page-owner@example.com"));
    expect(mail.text).toMatch(/http:\/\/recoup\.test\/auth\/magic\/\S+/);
    expect(smtp.messages.some((m) => JSON.stringify(m.to).includes("stranger@example.com"))).toBe(false);
  });

  it("asks again for something that is not an email address", async () => {
    const res = await submit("not an email");
    expect(res).toMatchObject({ init: { status: 400 }, data: { sent: false, error: expect.stringContaining("like name@example.com") } });
  });

  it("sends someone already signed in straight to the dashboard", async () => {
    const { sessionToken } = await makeWorkspace();
    const request = new Request("http://localhost/auth/sign-in", { headers: { cookie: `recoup_session=${sessionToken}` } });
    const res = await route.loader({ request, params: {}, context: {} }).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(Response);
    expect((res as Response).headers.get("location")).toBe("/dashboard");
  });

  it("the emailed link comes back to the page the browser asked for, never to another site", async () => {
    await makeWorkspace({ ownerEmail: "back-owner@example.com" });
    await submit("back-owner@example.com", "/dashboard/settings");
    await submit("back-owner@example.com", "https://evil.example/");
    await signInEmailsSettled();
    const mails = smtp.messages.filter((m) => JSON.stringify(m.to).includes("back-owner@example.com"));
    expect(mails).toHaveLength(2);
    // (The two are sent side by side: either may arrive first.)
    const links = mails.map((m) => /http:\/\/recoup\.test\/auth\/magic\/\S+/.exec(m.text ?? "")?.[0] ?? "");
    expect(links.filter((l) => l.endsWith("?redirectTo=%2Fdashboard%2Fsettings"))).toHaveLength(1);
    expect(links.filter((l) => l !== "" && !l.includes("redirectTo"))).toHaveLength(1);
    expect(mails.some((m) => (m.text ?? "").includes("evil.example"))).toBe(false);
  });

  it("without SMTP says so, and how to get a link from the server instead: the same for every address", async () => {
    delete process.env.SMTP_URL;
    resetEnv();
    const page = await route.loader({ request: new Request("http://localhost/auth/sign-in?redirectTo=%2Foutbox&expired=1"), params: {}, context: {} });
    expect(page).toEqual({ redirectTo: "/outbox", linkExpired: true, emailConfigured: false });
    const signedIn = await makeWorkspace();
    const request = new Request("http://localhost/auth/sign-in?redirectTo=%2Foutbox", { headers: { cookie: `recoup_session=${signedIn.sessionToken}` } });
    const res = await route.loader({ request, params: {}, context: {} }).catch((e: unknown) => e);
    expect((res as Response).headers.get("location")).toBe("/outbox");
  });
});
