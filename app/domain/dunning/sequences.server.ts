import { z } from "zod";
import { AppError } from "~/http/errors";
import { now } from "~/utils/clock.server";
import { db, type Db, type Tx } from "~/utils/db.server";
import { findUnknownPlaceholders, PLACEHOLDERS } from "./templates";

// DunningDog's CreateSequenceRequest / UpdateSequenceRequest. Bounds beyond the contract's keep
// one request from storing megabytes of template or scheduling emails years out.
const MAX_STEPS = 20;
const MAX_DELAY_HOURS = 24 * 365;
const delayHours = z.number().int().min(0).max(MAX_DELAY_HOURS);
const subjectTemplate = z.string().trim().min(1).max(300);
const bodyTemplate = z.string().trim().min(1).max(20_000);
const name = z.string().trim().min(1).max(200);

const NewStepSchema = z.object({ delayHours, subjectTemplate, bodyTemplate });

export const CreateSequenceSchema = z.object({
  workspaceId: z.string().min(1),
  name,
  isEnabled: z.boolean(),
  steps: z.array(NewStepSchema).min(1).max(MAX_STEPS),
});

export const UpdateSequenceSchema = z.object({
  name: name.optional(),
  isEnabled: z.boolean().optional(),
  // Stricter than the contract (no minItems there): an enabled sequence without steps would
  // silently become the active one and stop all dunning.
  steps: z
    .array(
      z
        .object({
          id: z.string().min(1).optional(),
          delayHours: delayHours.optional(),
          subjectTemplate: subjectTemplate.optional(),
          bodyTemplate: bodyTemplate.optional(),
        })
        .refine((s) => s.id !== undefined || (s.delayHours !== undefined && s.subjectTemplate !== undefined && s.bodyTemplate !== undefined), {
          message: "A new step (one without an id) needs delayHours, subjectTemplate and bodyTemplate.",
        }),
    )
    .min(1)
    .max(MAX_STEPS)
    .optional(),
});

export type CreateSequenceInput = z.infer<typeof CreateSequenceSchema>;
export type UpdateSequenceInput = z.infer<typeof UpdateSequenceSchema>;

const withSteps = { steps: { orderBy: { position: "asc" } } } as const;

type SequenceWithSteps = {
  id: string;
  workspaceId: string;
  name: string;
  isEnabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  steps: Array<{ id: string; delayHours: number; subjectTemplate: string; bodyTemplate: string }>;
};

/** DunningDog's DunningSequence. */
export function sequenceDto(sequence: SequenceWithSteps) {
  return {
    id: sequence.id,
    workspaceId: sequence.workspaceId,
    name: sequence.name,
    isEnabled: sequence.isEnabled,
    steps: sequence.steps.map((s) => ({
      id: s.id,
      delayHours: s.delayHours,
      subjectTemplate: s.subjectTemplate,
      bodyTemplate: s.bodyTemplate,
      // A step is a template: it has no send state of its own (each recovery's DunningMessage
      // does). The contract requires a DunningStepStatus, and "scheduled" is the only honest one.
      status: "scheduled" as const,
    })),
    createdAt: sequence.createdAt.toISOString(),
    updatedAt: sequence.updatedAt.toISOString(),
  };
}

function assertKnownPlaceholders(steps: Array<{ subjectTemplate?: string; bodyTemplate?: string }>) {
  steps.forEach((step, index) => {
    for (const field of ["subjectTemplate", "bodyTemplate"] as const) {
      const template = step[field];
      if (template === undefined) continue;
      const [unknown] = findUnknownPlaceholders(template);
      if (unknown === undefined) continue;
      const written = unknown.startsWith("{{") ? unknown : `{{${unknown}}}`;
      const problem = unknown.startsWith("{{") ? `is not closed with "}}"` : "is not a placeholder we can fill";
      throw new AppError(
        "unknown_placeholder",
        `steps.${index}.${field}: "${written}" ${problem}. Use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
        { placeholder: unknown, path: `steps.${index}.${field}`, allowed: [...PLACEHOLDERS] },
      );
    }
  });
}

export async function createSequence(input: CreateSequenceInput) {
  assertKnownPlaceholders(input.steps);
  const at = now();
  const sequence = await db().dunningSequence.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      isEnabled: input.isEnabled,
      createdAt: at,
      updatedAt: at,
      steps: {
        create: input.steps.map((s, position) => ({ ...s, position, workspaceId: input.workspaceId })),
      },
    },
    include: withSteps,
  });
  return sequence;
}

/**
 * Changes name, isEnabled and/or steps. When `steps` is sent it is the whole new list, in order:
 * a step with an id is updated, one without is added, and steps left out are removed.
 */
export async function updateSequence(input: { workspaceId: string; sequenceId: string; patch: UpdateSequenceInput }) {
  const { workspaceId, sequenceId, patch } = input;
  if (patch.steps) assertKnownPlaceholders(patch.steps);
  return db().$transaction(async (tx) => {
    const existing = await tx.dunningSequence.findFirst({ where: { id: sequenceId, workspaceId }, include: withSteps });
    if (!existing) throw new AppError("not_found", "No dunning sequence with that id in this workspace.");

    if (patch.steps) {
      const current = new Map(existing.steps.map((s) => [s.id, s]));
      const seen = new Set<string>();
      patch.steps.forEach((s, index) => {
        if (s.id === undefined) return;
        if (!current.has(s.id)) {
          throw new AppError("validation_failed", `steps.${index}.id: no step "${s.id}" in this sequence.`, {
            errors: [{ path: `steps.${index}.id`, message: "No such step in this sequence." }],
          });
        }
        if (seen.has(s.id)) {
          throw new AppError("validation_failed", `steps.${index}.id: step "${s.id}" is listed twice.`, {
            errors: [{ path: `steps.${index}.id`, message: "Listed twice." }],
          });
        }
        seen.add(s.id);
      });
      await tx.dunningStep.deleteMany({ where: { sequenceId, id: { notIn: [...seen] } } });
      for (const [position, s] of patch.steps.entries()) {
        if (s.id) {
          await tx.dunningStep.update({
            where: { id: s.id },
            data: { position, delayHours: s.delayHours, subjectTemplate: s.subjectTemplate, bodyTemplate: s.bodyTemplate },
          });
        } else {
          await tx.dunningStep.create({
            data: { workspaceId, sequenceId, position, delayHours: s.delayHours!, subjectTemplate: s.subjectTemplate!, bodyTemplate: s.bodyTemplate! },
          });
        }
      }
    }

    // An empty PATCH changes nothing, so it must not make this sequence the active one.
    if (patch.name === undefined && patch.isEnabled === undefined && !patch.steps) return existing;
    // Touched even when only steps change: the most recently updated enabled sequence is the active one.
    return tx.dunningSequence.update({
      where: { id: sequenceId },
      data: { name: patch.name, isEnabled: patch.isEnabled, updatedAt: now() },
      include: withSteps,
    });
  });
}

/** The sequence new recoveries follow: the enabled one most recently created or updated; null when none is enabled. */
export async function getActiveSequence(workspaceId: string, client: Db | Tx = db()) {
  return client.dunningSequence.findFirst({
    where: { workspaceId, isEnabled: true },
    orderBy: [{ updatedAt: "desc" }, { createdAt: "desc" }, { id: "desc" }],
    include: withSteps,
  });
}
