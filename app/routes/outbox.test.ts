import { beforeEach, describe, expect, it } from "vitest";
import { requestSignInLink, signInEmailsSettled } from "~/domain/auth/sign-in.server";
import { redeemSignInToken } from "~/domain/auth/sessions.server";
import { sendTestEmail } from "~/domain/dunning/preview.server";
import { inviteMember } from "~/domain/team/team.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeTeammate, makeWorkspace } from "../../tests/factories";
import { thrown } from "../../tests/helpers/thrown";
import * as outbox from "./outbox";
import * as outboxMessage from "./outbox.$id";

// /outbox: signed-in members only, their workspace's mail only, and every email the product
// sends when SMTP is unset (docs/decisions/0034-one-mail-port-and-a-private-outbox.md).

beforeEach(() => {
  delete process.env.SMTP_URL;
  resetEnv();
});

const APP_URL = "http://localhost";
const as = (token: string | null, path = "/outbox") =>
  new Request(`${APP_URL}${path}`, { headers: token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {} });
const list = async (token: string) => (await outbox.loader({ params: {}, request: as(token), context: {} })).messages;
const open = (token: string | null, id: string) => outboxMessage.loader({ params: { id }, request: as(token, `/outbox/${id}`), context: {} });

let counter = 0;
async function customerEmail(workspaceId: string, subject: string) {
  counter += 1;
  const recovery = await db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_outbox_${counter}_${Date.now()}`,
      externalCustomerId: `cus_outbox_${counter}`,
      declineType: "soft",
      amountDueMinor: 2500,
      currency: "usd",
      startedAt: new Date(),
      lastFailureAt: new Date(),
    },
  });
  return db().dunningMessage.create({
    data: {
      workspaceId,
      recoveryId: recovery.id,
      kind: "sequence",
      dedupeKey: "s1",
      toEmail: `customer${counter}@example.com`,
      subject,
      bodyText: "Open https://x/recover/secret",
      bodyHtml: "<html><head></head><body>Open https://x/recover/secret</body></html>",
      scheduledFor: new Date(),
      trackingId: `trk_outbox_${counter}_${Date.now()}`,
    },
  });
}

describe("/outbox", () => {
  it("sends a visitor without a session to sign in, and back to the outbox afterwards", async () => {
    const { workspace } = await makeWorkspace();
    const mail = await customerEmail(workspace.id, "Your payment failed");
    for (const attempt of [outbox.loader({ params: {}, request: as(null), context: {} }), open(null, mail.id)]) {
      const response = await thrown<Response>(attempt);
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toMatch(/^\/auth\/sign-in\?redirectTo=%2Foutbox/);
    }
  });

  it("shows a member their own workspace's customer emails only; another workspace's email is a 404", async () => {
    const a = await makeWorkspace({ name: "Alpha" });
    const b = await makeWorkspace({ name: "Beta" });
    const mine = await customerEmail(a.workspace.id, "Alpha: your payment failed");
    const theirs = await customerEmail(b.workspace.id, "Beta: your payment failed");

    expect((await list(a.sessionToken)).map((m) => m.id)).toEqual([mine.id]);
    expect((await open(a.sessionToken, mine.id)).subject).toBe("Alpha: your payment failed");
    expect(await thrown<Response>(open(a.sessionToken, theirs.id))).toMatchObject({ status: 404 });
  });

  it("holds test emails, invitations and sign-in links; the invited teammate gets in with the link kept there", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace({ name: "Gamma" });
    await sendTestEmail({ workspaceId: workspace.id, userId: owner.id, subjectTemplate: "About {{amount}}", bodyTemplate: "Hello {{customer_name}}" });
    const invited = await inviteMember({ workspaceId: workspace.id, email: `new-${Date.now()}@example.com`, role: "member", appUrl: APP_URL });
    expect(invited.emailed).toBe(false);
    await requestSignInLink({ email: owner.email!, appUrl: APP_URL });
    await signInEmailsSettled();

    const items = await list(sessionToken);
    expect(items.map((m) => m.kind).sort()).toEqual(["invitation", "sign_in", "test_email"]);
    expect(items.find((m) => m.kind === "invitation")).toMatchObject({ toEmail: invited.member.email, subject: "You're invited to Gamma on Recoup" });

    // The invitation as the owner reads it carries a link that signs the teammate in.
    const invitation = await open(sessionToken, items.find((m) => m.kind === "invitation")!.id);
    const token = /\/auth\/magic\/([A-Za-z0-9_-]+)/.exec(invitation.bodyText)?.[1];
    const session = await redeemSignInToken(token ?? "");
    expect(session).toMatchObject({ userId: invited.member.userId, workspaceId: workspace.id });

    // Kept encrypted: the link is not readable in the table.
    const row = await db().outboxEmail.findFirstOrThrow({ where: { kind: "invitation", workspaceId: workspace.id } });
    expect(row.bodyTextEnc).not.toContain("/auth/magic/");
  });

  it("a sign-in link is its addressee's alone; an invitation is for owners and admins", async () => {
    const { workspace, owner, sessionToken: ownerSession } = await makeWorkspace({ name: "Delta" });
    const member = await makeTeammate(workspace.id, "member");
    await inviteMember({ workspaceId: workspace.id, email: `invitee-${Date.now()}@example.com`, role: "member", appUrl: APP_URL });
    await requestSignInLink({ email: owner.email!, appUrl: APP_URL });
    await requestSignInLink({ email: member.user.email!, appUrl: APP_URL });
    await signInEmailsSettled();

    const ownerView = await list(ownerSession);
    const memberView = await list(member.sessionToken);
    expect(ownerView.filter((m) => m.kind === "sign_in").map((m) => m.toEmail)).toEqual([owner.email]);
    expect(memberView.filter((m) => m.kind === "sign_in").map((m) => m.toEmail)).toEqual([member.user.email]);
    expect(memberView.some((m) => m.kind === "invitation")).toBe(false);

    const ownersLink = ownerView.find((m) => m.kind === "sign_in")!;
    expect(await thrown<Response>(open(member.sessionToken, ownersLink.id))).toMatchObject({ status: 404 });
  });
});
