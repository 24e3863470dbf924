import { statusOf } from "~/http/errors";
import { afterEach, describe, expect, it } from "vitest";
import { createSession, findSession, redeemSignInToken } from "~/domain/auth/sessions.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../../../tests/factories";
import { inviteMember, listMembers, removeMember } from "./team.server";
import { useFakeSmtp } from "../../../tests/helpers/smtp";
import { thrownAppError as thrown } from "../../../tests/helpers/thrown";

const APP_URL = "http://recoup.test";
const smtp = useFakeSmtp();
let counter = 0;

afterEach(() => {
  delete process.env.LOG_LEVEL;
  resetEnv();
});

const freshEmail = () => `sam${++counter}-${Date.now()}@story.example`;


describe("inviteMember", () => {
  it("adds the person and emails a sign-in link that opens this workspace", async () => {
    const { workspace } = await makeWorkspace({ name: "Story Coffee" });
    const email = freshEmail();
    const invited = await inviteMember({ workspaceId: workspace.id, email: `  ${email.toUpperCase()} `, role: "admin", appUrl: APP_URL });
    expect(invited).toMatchObject({ member: { email, role: "admin" }, emailed: true });

    const mail = await smtp.waitFor((m) => m.to !== undefined && !Array.isArray(m.to) && m.to.value[0]?.address === email);
    expect(mail.subject).toBe("You're invited to Story Coffee on Recoup");
    const link = /http:\/\/recoup\.test\/auth\/magic\/(\S+)/.exec(mail.text ?? "");
    expect(link).not.toBeNull();
    expect(mail.html).toContain(`href="${link![0]}"`);

    const session = await redeemSignInToken(link![1]!);
    expect(session).toMatchObject({ workspaceId: workspace.id, userId: invited.member.userId });
    // Once only.
    expect(await redeemSignInToken(link![1]!)).toBeNull();

    const members = await listMembers(workspace.id);
    expect(members.map((m) => [m.email, m.role])).toEqual([
      [expect.stringMatching(/@example\.com$/), "owner"],
      [email, "admin"],
    ]);
  });

  it("links an existing user (a member elsewhere) instead of creating another", async () => {
    const elsewhere = await makeWorkspace();
    const { workspace } = await makeWorkspace();
    const invited = await inviteMember({ workspaceId: workspace.id, email: elsewhere.owner.email!, appUrl: APP_URL });
    expect(invited.member).toMatchObject({ userId: elsewhere.owner.id, role: "member" });
  });

  it("an existing member is a conflict, in plain words", async () => {
    const { workspace, owner } = await makeWorkspace();
    const error = await thrown(inviteMember({ workspaceId: workspace.id, email: owner.email!, appUrl: APP_URL }));
    expect(error.code).toBe("conflict");
    expect(statusOf(error)).toBe(409);
    expect(error.message).toBe(`${owner.email} is already a member of this workspace.`);
  });

  it("refuses what is not an email address or a role", async () => {
    const { workspace } = await makeWorkspace();
    await expect(inviteMember({ workspaceId: workspace.id, email: "sam@", appUrl: APP_URL })).rejects.toThrow("Enter an email address, such as sam@yourshop.com.");
    await expect(inviteMember({ workspaceId: workspace.id, email: freshEmail(), role: "owner", appUrl: APP_URL })).rejects.toThrow("Choose a role: admin or member.");
  });

  it("when the invitation can't be sent, nobody is added and the link is void", async () => {
    process.env.LOG_LEVEL = "silent";
    const { workspace } = await makeWorkspace();
    const email = freshEmail();
    smtp.failNext(1);
    const error = await thrown(inviteMember({ workspaceId: workspace.id, email, appUrl: APP_URL }));
    expect(error.code).toBe("upstream_error");
    expect(error.message).toMatch(/Nobody was added/);
    expect((await listMembers(workspace.id)).map((m) => m.email)).not.toContain(email);
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    expect(await db().signInToken.count({ where: { userId: user.id, usedAt: null } })).toBe(0);
    // And inviting again works.
    await expect(inviteMember({ workspaceId: workspace.id, email, appUrl: APP_URL })).resolves.toMatchObject({ emailed: true });
  });

  it("without SMTP the member is added and the caller is told no email went out", async () => {
    delete process.env.SMTP_URL;
    resetEnv();
    const { workspace } = await makeWorkspace();
    expect(await inviteMember({ workspaceId: workspace.id, email: freshEmail(), appUrl: APP_URL })).toMatchObject({ emailed: false });
  });
});

describe("removeMember", () => {
  it("removes a member and signs them out of this workspace at once", async () => {
    const { workspace, owner } = await makeWorkspace();
    const { member } = await inviteMember({ workspaceId: workspace.id, email: freshEmail(), appUrl: APP_URL });
    const session = await createSession({ userId: member.userId, workspaceId: workspace.id });
    await removeMember({ workspaceId: workspace.id, userId: member.userId, actingUserId: owner.id });
    expect((await listMembers(workspace.id)).map((m) => m.userId)).toEqual([owner.id]);
    expect(await findSession(session.token)).toBeNull();
    expect(await db().signInToken.count({ where: { userId: member.userId, workspaceId: workspace.id, usedAt: null } })).toBe(0);
  });

  it("never the owner, never yourself, and only members of this workspace", async () => {
    const { workspace, owner } = await makeWorkspace();
    const { member } = await inviteMember({ workspaceId: workspace.id, email: freshEmail(), appUrl: APP_URL });
    const other = await makeWorkspace();

    const ownerOut = await thrown(removeMember({ workspaceId: workspace.id, userId: owner.id, actingUserId: member.userId }));
    expect([ownerOut.code, ownerOut.message]).toEqual(["forbidden", "The workspace's owner can't be removed."]);
    const self = await thrown(removeMember({ workspaceId: workspace.id, userId: member.userId, actingUserId: member.userId }));
    expect([self.code, self.message]).toEqual(["forbidden", "You can't remove yourself. Ask the owner or another admin to do it."]);
    const stranger = await thrown(removeMember({ workspaceId: workspace.id, userId: other.owner.id, actingUserId: owner.id }));
    expect(stranger.code).toBe("not_found");
    expect(await listMembers(other.workspace.id)).toHaveLength(1);
  });
});
