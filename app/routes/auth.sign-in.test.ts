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

function submit(email: string) {
  const request = new Request("http://localhost/auth/sign-in", { method: "POST", body: new URLSearchParams({ email }) });
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
});
