import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";

export async function createWorkspace(input: {
  name: string;
  ownerEmail?: string | null;
  ownerName?: string | null;
  timezone?: string;
  isDemo?: boolean;
}) {
  return db().$transaction(async (tx) => {
    const owner = input.ownerEmail
      ? await tx.user.upsert({
          where: { email: input.ownerEmail },
          create: { email: input.ownerEmail, name: input.ownerName ?? null },
          update: {},
        })
      : await tx.user.create({ data: { name: input.ownerName ?? `${input.name} owner` } });
    const workspace = await tx.workspace.create({
      data: { name: input.name, ownerUserId: owner.id, timezone: input.timezone ?? "UTC", isDemo: input.isDemo ?? false },
    });
    await tx.membership.create({ data: { workspaceId: workspace.id, userId: owner.id, role: "owner" } });
    await tx.dunningSequence.create({
      data: {
        workspaceId: workspace.id,
        name: DEFAULT_SEQUENCE.name,
        isEnabled: true,
        isDefault: true,
        steps: {
          create: DEFAULT_SEQUENCE.steps.map((s, position) => ({ ...s, position, workspaceId: workspace.id })),
        },
      },
    });
    return { workspace, owner };
  });
}

export async function getWorkspace(id: string) {
  const workspace = await db().workspace.findUnique({ where: { id } });
  if (!workspace) throw new AppError("not_found", "No such workspace.");
  return workspace;
}

/** Every workspace on this server, oldest first, with its owner's email (for operators). */
export async function listWorkspaces() {
  const rows = await db().workspace.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], include: { owner: { select: { email: true } } } });
  return rows.map((w) => ({ id: w.id, name: w.name, ownerEmail: w.owner.email, isDemo: w.isDemo, createdAt: w.createdAt }));
}

export function workspaceDto(w: {
  id: string;
  name: string;
  ownerUserId: string;
  timezone: string;
  billingPlan: string;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: w.id,
    name: w.name,
    ownerUserId: w.ownerUserId,
    timezone: w.timezone,
    billingPlan: w.billingPlan,
    isActive: w.isActive,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

/**
 * Deletes a workspace and everything in it: rows that cascade from it, the
 * rows that only name it (sessions, sign-in links, OAuth states, webhooks,
 * pending jobs), and users who belonged to no other workspace.
 */
export async function deleteWorkspace(workspaceId: string) {
  await db().$transaction(async (tx) => {
    const members = await tx.membership.findMany({ where: { workspaceId }, select: { userId: true } });
    const recoveryIds = (await tx.recovery.findMany({ where: { workspaceId }, select: { id: true } })).map((r) => r.id);
    const messageIds = (await tx.dunningMessage.findMany({ where: { workspaceId }, select: { id: true } })).map((m) => m.id);
    const ids = [...recoveryIds, ...messageIds, workspaceId];
    for (const table of ["job", "archive"]) {
      await tx.$executeRawUnsafe(
        `DELETE FROM pgboss.${table} WHERE data->>'recoveryId' = ANY($1::text[]) OR data->>'messageId' = ANY($1::text[]) OR data->>'workspaceId' = ANY($1::text[])`,
        ids,
      );
    }
    await tx.dashboardSession.deleteMany({ where: { workspaceId } });
    await tx.signInToken.deleteMany({ where: { workspaceId } });
    await tx.oAuthState.deleteMany({ where: { workspaceId } });
    await tx.stripeEvent.deleteMany({ where: { workspaceId } });
    await tx.shopifyWebhook.deleteMany({ where: { workspaceId } });
    await tx.shopifyShop.deleteMany({ where: { workspaceId } });
    await tx.workspace.delete({ where: { id: workspaceId } });
    for (const { userId } of members) {
      const elsewhere = await tx.membership.count({ where: { userId } });
      const owns = await tx.workspace.count({ where: { ownerUserId: userId } });
      if (elsewhere === 0 && owns === 0) await tx.user.delete({ where: { id: userId } });
    }
  });
}
