// The people who can open a workspace's dashboard: listing, inviting (a one-time sign-in link by
// email), changing their role and removing them. What each role may do: ./roles.ts.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { createSignInLink } from "~/domain/auth/sessions.server";
import { escapeHtml } from "~/utils/html";
import { InviteRoleSchema, InviteSchema } from "~/domain/settings/schemas";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { log } from "~/utils/logger.server";
import { roleOf, type Role } from "~/domain/access/roles";
import { isUniqueViolation } from "~/utils/db-errors.server";

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
    role: roleOf({ userId: m.userId, ownerUserId: workspace.ownerUserId, membershipRole: m.role }),
    isOwner: m.userId === workspace.ownerUserId,
    joinedAt: m.createdAt.toISOString(),
  }));
}

/**
 * What a signed-in person may do here: their role, and who to ask for more (the owner's email or
 * name). Null when they are not (or no longer) a member.
 */
export async function memberAccess(input: { workspaceId: string; userId: string }): Promise<{ role: Role; ownerLabel: string | null } | null> {
  const workspace = await db().workspace.findUnique({
    where: { id: input.workspaceId },
    select: { ownerUserId: true, owner: { select: { email: true, name: true } }, memberships: { where: { userId: input.userId }, select: { role: true } } },
  });
  const membership = workspace?.memberships[0];
  if (!workspace || (!membership && workspace.ownerUserId !== input.userId)) return null;
  return {
    role: roleOf({ userId: input.userId, ownerUserId: workspace.ownerUserId, membershipRole: membership?.role ?? "member" }),
    ownerLabel: workspace.owner.name ?? workspace.owner.email,
  };
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
      if (isUniqueViolation(error)) throw alreadyMember();
      throw error;
    });

  const link = await createSignInLink({ userId: user.id, workspaceId: workspace.id, appUrl: input.appUrl, hours: INVITE_LINK_HOURS });
  const message = invitationEmail({ workspaceName: workspace.name, link });
  let transport: "smtp" | "outbox";
  try {
    ({ transport } = await deliverEmail(
      { to: email, ...message, messageId: `<invite-${randomBytes(12).toString("hex")}@recoup>` },
      { kind: "invitation", workspaceId: workspace.id, recipientUserId: user.id, audience: "admins" },
    ));
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
  if (input.userId === input.actingUserId) throw new AppError("forbidden", "You can't remove yourself. Ask the owner or another admin to do it.");
  await db().$transaction(async (tx) => {
    const { count } = await tx.membership.deleteMany({ where: { workspaceId: workspace.id, userId: input.userId } });
    if (count === 0) throw new AppError("not_found", "This person is not a member of this workspace.");
    await tx.dashboardSession.deleteMany({ where: { workspaceId: workspace.id, userId: input.userId } });
    await tx.signInToken.deleteMany({ where: { workspaceId: workspace.id, userId: input.userId, usedAt: null } });
  });
}

/**
 * Makes a teammate an admin or a member. The owner's role is not theirs to change, and nobody
 * changes their own (an admin demoting themselves by mistake would need someone else to undo it).
 */
export async function changeMemberRole(input: { workspaceId: string; userId: string; role: unknown; actingUserId: string }) {
  const role = z.object({ role: InviteRoleSchema }).parse({ role: input.role }).role;
  const workspace = await getWorkspace(input.workspaceId);
  if (input.userId === workspace.ownerUserId) throw new AppError("forbidden", "The workspace's owner is always the owner: their role can't be changed.");
  if (input.userId === input.actingUserId) throw new AppError("forbidden", "You can't change your own role. Ask the owner or another admin.");
  const { count } = await db().membership.updateMany({ where: { workspaceId: workspace.id, userId: input.userId }, data: { role } });
  if (count === 0) throw new AppError("not_found", "This person is not a member of this workspace.");
  const user = await db().user.findUniqueOrThrow({ where: { id: input.userId }, select: { email: true, name: true } });
  return { userId: input.userId, label: user.email ?? user.name ?? "Unnamed member", role };
}
