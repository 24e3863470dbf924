import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { useFakeSmtp } from "../../../tests/helpers/smtp";
import { redeemSignInToken } from "./sessions.server";
import { requestSignInLink, signInEmailsSettled, SIGN_IN_REQUESTED } from "./sign-in.server";

const APP_URL = "http://recoup.test";
const smtp = useFakeSmtp();

const linkIn = (text: string) => /http:\/\/recoup\.test\/auth\/magic\/[\w-]+/.exec(text)?.[0];

describe("emailing a sign-in link", () => {
  it("a known address gets a one-time link to its workspace, through SMTP", async () => {
    const { owner, workspace } = await makeWorkspace({ name: "Link Bakery", ownerEmail: "baker@example.com" });
    expect(await requestSignInLink({ email: "  Baker@Example.com ", appUrl: APP_URL })).toEqual({ message: SIGN_IN_REQUESTED });

    const mail = await smtp.waitFor((m) => m.subject === "Your sign-in link for Recoup" && m.to !== undefined && JSON.stringify(m.to).includes("baker@example.com"));
    expect(mail.text).toContain("Link Bakery");
    const link = linkIn(mail.text ?? "");
    expect(link).toBeDefined();
    expect(mail.html).toContain(link);

    const session = await redeemSignInToken(link!.split("/").pop()!);
    expect(session).toMatchObject({ userId: owner.id, workspaceId: workspace.id });
    expect(await redeemSignInToken(link!.split("/").pop()!)).toBeNull();
  });

  it("an unknown address gets the same answer, and nothing is sent or stored", async () => {
    const before = { mails: smtp.messages.length, tokens: await db().signInToken.count() };
    const known = await makeWorkspace({ ownerEmail: "known@example.com" });
    const answers = [
      await requestSignInLink({ email: "nobody@example.com", appUrl: APP_URL }),
      // Not a pattern: "_" is no wildcard.
      await requestSignInLink({ email: "kn_wn@example.com", appUrl: APP_URL }),
      await requestSignInLink({ email: "known@example.com", appUrl: APP_URL }),
    ];
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    await signInEmailsSettled();

    const sent = smtp.messages.slice(before.mails);
    expect(sent.map((m) => JSON.stringify(m.to))).toEqual([expect.stringContaining("known@example.com")]);
    const tokens = await db().signInToken.findMany();
    expect(tokens).toHaveLength(before.tokens + 1);
    expect(tokens.at(-1)).toMatchObject({ userId: known.owner.id });
  });

  it("answers before the email is sent: a slow mail server does not reveal that the account exists", async () => {
    await makeWorkspace({ ownerEmail: "slow@example.com" });
    smtp.failNext(1);
    const started = performance.now();
    await requestSignInLink({ email: "slow@example.com", appUrl: APP_URL });
    expect(performance.now() - started).toBeLessThan(50);
    // A refused email is logged, not thrown at the person asking.
    await signInEmailsSettled();
  });

  it("stops sending after five links in an hour", async () => {
    await makeWorkspace({ ownerEmail: "spammed@example.com" });
    const to = (m: { to?: unknown }) => JSON.stringify(m.to ?? "").includes("spammed@example.com");
    for (let i = 0; i < 7; i++) {
      await requestSignInLink({ email: "spammed@example.com", appUrl: APP_URL });
      await signInEmailsSettled();
    }
    expect(smtp.messages.filter(to)).toHaveLength(5);
  });
});
