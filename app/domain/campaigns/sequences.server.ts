import { z } from "zod";
import { applyTransition, campaignCandidates, statusColumns } from "./campaigns.server";
import { specificity, type CampaignStatus } from "./model";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db, type Db, type Tx } from "~/utils/db.server";
import { handOverWaitingSteps } from "~/domain/dunning/step-jobs.server";
import { addStepPlaceholderIssues, assertKnownPlaceholders, StepTemplatesSchema } from "~/domain/dunning/templates";

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

export async function createSequence(input: CreateSequenceInput) {
  assertKnownPlaceholders(input.steps);
  const at = now();
  const sequence = await db().dunningSequence.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      // DunningDog's enabled sequence is an active campaign; a switched-off new one is a draft.
      ...statusColumns(input.isEnabled ? "active" : "draft", at),
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
    // isEnabled is the campaign's lifecycle (ADR 0070): true activates a draft or paused one, false
    // pauses an active one; a completed or archived campaign cannot be enabled again (409).
    const status = existing.status as CampaignStatus;
    if (patch.isEnabled === true && status !== "active") await applyTransition(tx, { workspaceId, id: sequenceId, command: "activate" });
    if (patch.isEnabled === false && status === "active") await applyTransition(tx, { workspaceId, id: sequenceId, command: "pause" });
    // Touched even when only steps change: the most recently updated enabled sequence is the active one.
    return tx.dunningSequence.update({
      where: { id: sequenceId },
      data: { name: patch.name, updatedAt: now() },
      include: withSteps,
    });
  });
}

/**
 * DunningDog's "active sequence": the active campaign that claims every failed payment (trigger
 * payment_failed or any_decline, no filters) ahead of the others in precedence, else the first
 * active campaign in precedence; null when none is active. Which campaign a recovery follows is
 * decided per failure (app/domain/campaigns/enrollment.server.ts); this one is the catch-all.
 */
export async function getActiveSequence(workspaceId: string, client: Db | Tx = db()) {
  const active = await campaignCandidates(client, workspaceId);
  const catchAll = active.find((c) => specificity(c) === 0);
  return (catchAll ?? active[0])?.row ?? null;
}

/**
 * Deletes a sequence and its steps (docs/decisions/0009-deleting-a-dunning-sequence.md). The
 * active sequence is refused: new failed payments follow it, so another one must take over (or
 * it must be switched off) first. Recoveries waiting for one of an enabled sequence's emails
 * continue on the active sequence; a switched-off sequence sends nothing anyway, so its
 * recoveries get no new emails. The messages already sent stay in each recovery's timeline.
 */
export async function deleteSequence(input: { workspaceId: string; sequenceId: string }) {
  const { workspaceId, sequenceId } = input;
  return db().$transaction(async (tx) => {
    const sequence = await tx.dunningSequence.findFirst({ where: { id: sequenceId, workspaceId }, include: withSteps });
    if (!sequence) throw new AppError("not_found", "This sequence doesn't exist, or belongs to another workspace.");
    const active = await getActiveSequence(workspaceId, tx);
    if (active?.id === sequence.id) {
      throw new AppError(
        "conflict",
        `\u201c${sequence.name}\u201d is the active sequence: new failed payments get its emails. Enable another sequence, or switch this one off, before deleting it.`,
      );
    }
    const handedOver = sequence.isEnabled && active ? await handOverWaitingSteps({ tx, deletedSteps: sequence.steps, active }) : [];
    await tx.dunningSequence.delete({ where: { id: sequence.id } });
    return { id: sequence.id, name: sequence.name, handedOver: handedOver.length, continuesWith: handedOver.length && active ? active.name : null };
  });
}

// ---- the dashboard editor's reads and saves ----

/** The sequences of a workspace for the editor's list, the one new recoveries follow marked active. */
export async function listSequences(workspaceId: string) {
  const [sequences, active] = await Promise.all([
    db().dunningSequence.findMany({
      where: { workspaceId },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      include: { _count: { select: { steps: true } } },
    }),
    getActiveSequence(workspaceId),
  ]);
  return sequences.map((s) => ({
    id: s.id,
    name: s.name,
    isEnabled: s.isEnabled,
    isActive: s.id === active?.id,
    stepCount: s._count.steps,
    updatedAt: s.updatedAt.toISOString(),
  }));
}

/** One sequence with its steps, for the editor; another workspace's is not found. */
export async function getSequence(input: { workspaceId: string; sequenceId: string }) {
  const sequence = await db().dunningSequence.findFirst({
    where: { id: input.sequenceId, workspaceId: input.workspaceId },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  if (!sequence) throw new AppError("not_found", "This sequence doesn't exist, or belongs to another workspace.");
  const active = await getActiveSequence(input.workspaceId);
  return { ...sequenceDto(sequence), isActive: active?.id === sequence.id };
}

/** The editor's sequence as it saves it: every step whole, in order; a step without an id is new. */
export const SequenceDraftSchema = z
  .object({
    name: z.string({ error: "Name the sequence." }).trim().min(1, { error: "Name the sequence." }).max(200, { error: "Keep the name under 200 characters." }),
    isEnabled: z.boolean(),
    steps: z
      .array(
        z.object({
          id: z.string().min(1).optional(),
          delayHours: z
            .number({ error: "Enter when to send this email." })
            .int({ error: "Enter whole days and hours." })
            .min(0, { error: "Enter when to send this email." })
            .max(MAX_DELAY_HOURS, { error: "Send each email within a year of the failed payment." }),
          subjectTemplate: StepTemplatesSchema.shape.subjectTemplate,
          bodyTemplate: StepTemplatesSchema.shape.bodyTemplate,
        }),
      )
      .min(1, { error: "A sequence needs at least one email." })
      .max(MAX_STEPS, { error: `A sequence can have at most ${MAX_STEPS} emails.` }),
  })
  .superRefine((draft, ctx) => addStepPlaceholderIssues(draft.steps, ctx));

export type SequenceDraft = z.infer<typeof SequenceDraftSchema>;

/** Creates (sequenceId null) or replaces a sequence from the editor; returns it as the editor opens it. */
export async function saveSequenceDraft(input: { workspaceId: string; sequenceId: string | null; draft: SequenceDraft }) {
  const draft = SequenceDraftSchema.parse(input.draft);
  const { workspaceId } = input;
  if (!input.sequenceId) {
    const created = await createSequence({ workspaceId, ...draft, steps: draft.steps.map(({ id: _id, ...step }) => step) });
    return getSequence({ workspaceId, sequenceId: created.id });
  }
  try {
    await updateSequence({ workspaceId, sequenceId: input.sequenceId, patch: draft });
  } catch (error) {
    // A step id we don't know: the sequence changed in another tab since this page loaded.
    if (error instanceof AppError && error.code === "validation_failed") {
      throw new AppError("conflict", "This sequence was changed somewhere else while you were editing. Reload the page to get the latest version.");
    }
    throw error;
  }
  return getSequence({ workspaceId, sequenceId: input.sequenceId });
}
