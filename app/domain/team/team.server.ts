// The people who can open a workspace's dashboard: listing, inviting (a one-time sign-in link by
// email) and removing them.
import { randomBytes } from "node:crypto";
import { createSignInLink } from "~/domain/auth/sessions.server";
import { escapeHtml } from "~/domain/dunning/templates";
import { InviteSchema } from "~/domain/settings/schemas";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { AppError } from "~/http/errors";
import { db } from "~/utils/db.server";
import { sendEmail } from "~/utils/email.server";
import { log } from "~/utils/logger.server";

/** An invitation link outlives a sign-in link (24 h): invitations wait in inboxes over weekends. */
const INVITE_LINK_HOURS = 72;

export async function listMembers(workspaceId: string) {
  const workspace = await getWorkspace(workspaceId);
  const memberships = await db().membership.findMany({
    where: { workspaceId },
    include: { user: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return memberships.map((m) => ({
    userId: m.userId,
    email: m.user.email,
    name: m.user.name,
    role: m.userId === workspace.ownerUserId ? "owner" : m.role,
    isOwner: m.userId === workspace.ownerUserId,
    joinedAt: m.createdAt.toISOString(),
  }));
}

function invitationEmail(input: { workspaceName: string; link: string }) {
  const name = input.workspaceName;
  const text =
    `You've been invited to ${name}'s dashboard on Recoup, where failed payments are recovered.\n\n` +
    `Sign in with this link (it works once, for ${INVITE_LINK_HOURS} hours):\n${input.link}\n\n` +
    `If you weren't expecting this, you can ignore this email.`;
  const html =
    `<!DOCTYPE html><html lang="en"><body style="margin:0;padding:24px 12px;background:#f4f5f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328;">` +
    `<div style="max-width:520px;margin:0 auto;background:#fff;border-radius:8px;padding:28px;font-size:16px;line-height:1.6;">` +
    `<p style="margin:0 0 16px;">You've been invited to <strong>${escapeHtml(name)}</strong>'s dashboard on Recoup, where failed payments are recovered.</p>` +
    `<p style="margin:0 0 24px;"><a href="${escapeHtml(input.link)}" style="display:inline-block;padding:12px 20px;background:#1a56db;color:#fff;border-radius:6px;text-decoration:none;font-weight:600;">Open the dashboard</a></p>` +
    `<p style="margin:0;font-size:14px;color:#57606a;">The link works once, for ${INVITE_LINK_HOURS} hours. If you weren't expecting this, you can ignore this email.</p>` +
    `</div></body></html>`;
  return { subject: `You're invited to ${name} on Recoup`, text, html };
}

/**
 * Adds someone to the workspace (their User is created, or found by email) and emails them a
 * one-time sign-in link. When the email cannot be sent the membership is taken back, so that
 * nobody is listed who was never told.
 */
export async function inviteMember(input: { workspaceId: string; email: string; role?: string; appUrl: string }) {
  const { email, role } = InviteSchema.parse({ email: input.email, role: input.role });
  const workspace = await getWorkspace(input.workspaceId);
  const alreadyMember = () =>
    new AppError("conflict", `${email} is already a member of this workspace.`, { errors: [{ path: "email", message: "Already a member." }] });
  const { user, membershipId } = await db()
    .$transaction(async (tx) => {
      const user = await tx.user.upsert({ where: { email }, create: { email }, update: {} });
      const existing = await tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId: workspace.id, userId: user.id } } });
      if (existing) throw alreadyMember();
      const membership = await tx.membership.create({ data: { workspaceId: workspace.id, userId: user.id, role } });
      return { user, membershipId: membership.id };
    })
    .catch((error: unknown) => {
      // The same invitation sent twice at once: the second loses on the unique (workspaceId, userId).
      if ((error as { code?: string }).code === "P2002") throw alreadyMember();
      throw error;
    });

  const link = await createSignInLink({ userId: user.id, workspaceId: workspace.id, appUrl: input.appUrl, hours: INVITE_LINK_HOURS });
  const message = invitationEmail({ workspaceName: workspace.name, link });
  let transport: "smtp" | "outbox";
  try {
    ({ transport } = await sendEmail({ to: email, ...message, messageId: `<invite-${randomBytes(12).toString("hex")}@recoup>` }));
  } catch (error) {
    log.warn("sending an invitation failed", { error });
    await db().$transaction([
      db().membership.deleteMany({ where: { id: membershipId } }),
      db().signInToken.deleteMany({ where: { userId: user.id, workspaceId: workspace.id, usedAt: null } }),
    ]);
    throw new AppError("upstream_error", `The invitation to ${email} couldn't be sent: the mail server didn't accept it. Nobody was added; try again in a minute.`);
  }
  return { member: { userId: user.id, email, role }, emailed: transport === "smtp" };
}

/**
 * Takes someone out of the workspace and signs them out of it at once. The owner stays, and
 * nobody removes themselves (the workspace must never be left without a way in).
 */
export async function removeMember(input: { workspaceId: string; userId: string; actingUserId: string }) {
  const workspace = await getWorkspace(input.workspaceId);
  if (input.userId === workspace.ownerUserId) throw new AppError("forbidden", "The workspace's owner can't be removed.");
  if (input.userId === input.actingUserId) throw new AppError("forbidden", "You can't remove yourself. Ask another member to do it.");
  await db().$transaction(async (tx) => {
    const { count } = await tx.membership.deleteMany({ where: { workspaceId: workspace.id, userId: input.userId } });
    if (count === 0) throw new AppError("not_found", "This person is not a member of this workspace.");
    await tx.dashboardSession.deleteMany({ where: { workspaceId: workspace.id, userId: input.userId } });
    await tx.signInToken.deleteMany({ where: { workspaceId: workspace.id, userId: input.userId, usedAt: null } });
  });
}
