import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { AppError } from "~/http/errors";
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
