// /api/v1 recoveries: the same Recovery rows as payments, seen as the work Recoup does on
// them: the campaign (dunning sequence) they follow, its steps and how far they got.
import type { z } from "zod";
import { createMessage } from "~/domain/dunning/messages.server";
import { getActiveSequence } from "~/domain/campaigns/sequences.server";
import { placeholderProblem } from "~/domain/dunning/templates";
import { ERASED_MESSAGE } from "~/domain/recovery/engine.server";
import { manualSendSlot } from "~/domain/card-update/manual-send.server";
import { HANDED_OVER } from "~/domain/messages/lifecycle.server";
import type { PageRequest } from "~/domain/pagination.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { findAttemptId, inScope, nextActionOf, pageOfAttempts, timelineEvents, type ApiScope, type AttemptWhere } from "./attempts.server";
import type { ListRecoveriesQuerySchema, RECOVERY_STATUSES, STEP_STATES } from "./recoveries";

type RecoveryStatus = (typeof RECOVERY_STATUSES)[number];
type StepState = (typeof STEP_STATES)[number];
type ListRecoveriesQuery = z.infer<typeof ListRecoveriesQuerySchema>;

const HOUR_MS = 3600_000;
const DELIVERED = new Set<string>(HANDED_OVER);

interface Row {
  id: string;
  status: string;
  paused: boolean;
  customerId: string | null;
  sequenceId: string | null;
  amountDueMinor: number;
  currency: string;
  recoveredAmountMinor: number | null;
  nextActionKind: string | null;
  nextActionAt: Date | null;
  nextActionReason: string | null;
  startedAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

export function recoveryStatus(row: { status: string; paused: boolean }): RecoveryStatus {
  if (row.status === "pending") return row.paused ? "paused" : "active";
  return row.status === "recovered" ? "recovered" : "terminal";
}

function statusWhere(status: ListRecoveriesQuery["status"]): AttemptWhere {
  switch (status) {
    case undefined:
      return {};
    case "active":
      return { status: "pending", paused: false };
    case "paused":
      return { status: "pending", paused: true };
    case "recovered":
      return { status: "recovered" };
    case "terminal":
      return { status: { in: ["failed", "abandoned"] } };
  }
}

/** An item of GET /api/v1/recoveries (RecoverySchema), also a customer's recoveries. */
export function recoveryOf(row: Row, progress: { current: number; total: number }) {
  return {
    id: row.id,
    paymentId: row.id,
    customerId: row.customerId,
    campaignId: row.sequenceId,
    status: recoveryStatus(row),
    currentStep: progress.current,
    totalSteps: progress.total,
    amountCents: row.amountDueMinor,
    currency: row.currency,
    recoveredAmountCents: row.recoveredAmountMinor,
    nextAction: row.paused ? null : nextActionOf(row),
    createdAt: row.startedAt,
    updatedAt: row.updatedAt,
    endedAt: row.endedAt,
  };
}

/** Each row's dunning progress (emails delivered of its campaign's steps): two queries for a page. */
export async function progressOf(rows: Row[]) {
  const sequenceIds = [...new Set(rows.map((r) => r.sequenceId).filter((id): id is string => id !== null))];
  const [steps, sent] = await Promise.all([
    sequenceIds.length ? db().dunningStep.groupBy({ by: ["sequenceId"], where: { sequenceId: { in: sequenceIds } }, _count: { _all: true } }) : [],
    rows.length
      ? db().dunningMessage.groupBy({
          by: ["recoveryId"],
          where: { recoveryId: { in: rows.map((r) => r.id) }, kind: "sequence", stepId: { not: null }, status: { in: HANDED_OVER } },
          _count: { _all: true },
        })
      : [],
  ]);
  const total = new Map(steps.map((s) => [s.sequenceId, s._count._all]));
  const done = new Map(sent.map((s) => [s.recoveryId, s._count._all]));
  return (row: Row) => {
    const totalSteps = row.sequenceId ? (total.get(row.sequenceId) ?? 0) : 0;
    return { current: Math.min(done.get(row.id) ?? 0, totalSteps), total: totalSteps };
  };
}

export async function listRecoveries(input: ApiScope & { query: ListRecoveriesQuery; page: PageRequest }) {
  const { query } = input;
  const where: AttemptWhere = { ...statusWhere(query.status), ...(query.campaign_id ? { sequenceId: query.campaign_id } : {}) };
  const page = await pageOfAttempts({ ...inScope(input), where, page: input.page, include: {} });
  const progress = await progressOf(page.items);
  return { ...page, items: page.items.map((row) => recoveryOf(row, progress(row))) };
}

async function resolve(scope: ApiScope, ref: string): Promise<string> {
  const id = await findAttemptId(scope, ref);
  if (!id) throw new AppError("recovery_not_found", `No recovery ${ref} in this workspace.`);
  return id;
}

/** The campaign's steps, each with what happened to it for this recovery. */
async function stepsOf(row: Row) {
  if (!row.sequenceId) return [];
  const [steps, messages] = await Promise.all([
    db().dunningStep.findMany({ where: { sequenceId: row.sequenceId }, orderBy: { position: "asc" } }),
    db().dunningMessage.findMany({
      where: { recoveryId: row.id, kind: "sequence", stepId: { not: null } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true, stepId: true, status: true, sentAt: true, scheduledFor: true, error: true },
    }),
  ]);
  const byStep = new Map<string, (typeof messages)[number]>();
  for (const m of messages) if (!byStep.has(m.stepId!)) byStep.set(m.stepId!, m);
  return steps.map((step) => {
    const m = byStep.get(step.id);
    const due = new Date(row.startedAt.getTime() + step.delayHours * HOUR_MS);
    let state: StepState;
    let at: Date | null;
    let reason: string | null = null;
    if (m) {
      state = DELIVERED.has(m.status) ? "sent" : m.status === "scheduled" ? "scheduled" : m.status === "failed" ? "failed" : "skipped";
      at = m.sentAt ?? m.scheduledFor;
      reason = state === "skipped" || state === "failed" ? m.error : null;
    } else if (row.status !== "pending") {
      [state, at, reason] = ["skipped", null, "The recovery closed before this email was due."];
    } else if (row.paused) {
      [state, at, reason] = ["paused", null, "The recovery is paused; this email waits until it is resumed."];
    } else {
      [state, at] = ["scheduled", due];
    }
    return { id: step.id, position: step.position, delayHours: step.delayHours, subject: step.subjectTemplate, state, at, messageId: m?.id ?? null, reason };
  });
}

export async function getRecovery(input: ApiScope & { id: string }) {
  const id = await resolve(input, input.id);
  const row = await db().recovery.findFirstOrThrow({ where: { id, workspaceId: input.workspaceId } });
  const [steps, timeline] = await Promise.all([stepsOf(row), timelineEvents(input.workspaceId, id)]);
  const current = steps.filter((s) => s.state === "sent").length;
  return { ...recoveryOf(row, { current, total: steps.length }), steps, timeline };
}

/**
 * A dunning email now, outside the campaign's schedule: the given step's template (default: the
 * campaign's next email, else its last; without a campaign, the active sequence's first), with an
 * optional subject. One manual email per recovery per hour, shared with the dashboard's "Send update
 * link now" (manualSendSlot); a second within the hour is a 409 that says when the first went out.
 */
export async function sendDunningNow(input: ApiScope & { id: string; templateId?: string; subject?: string }) {
  const id = await resolve(input, input.id);
  const recovery = await db().recovery.findFirstOrThrow({ where: { id, workspaceId: input.workspaceId }, include: { customer: true, workspace: true } });
  if (recovery.erasedAt) throw new AppError("recovery_erased", ERASED_MESSAGE);
  if (recovery.status !== "pending") throw new AppError("conflict", "This recovery is closed (recovered or given up), so no dunning email was sent.");
  if (recovery.paused) throw new AppError("conflict", "This recovery is paused. Resume it first, then send the email.");
  const toEmail = recovery.customer?.email?.trim();
  if (!toEmail) throw new AppError("conflict", "This customer has no email address on file, so no dunning email can be sent.");
  if (input.subject) {
    const problem = placeholderProblem(input.subject, "The subject");
    if (problem) throw new AppError("unknown_placeholder", problem.message, { placeholder: problem.placeholder });
  }

  const step = input.templateId
    ? await db().dunningStep.findFirst({ where: { id: input.templateId, workspaceId: input.workspaceId } })
    : await defaultStep(recovery);
  if (!step && input.templateId) throw new AppError("template_not_found", `No template (sequence step) ${input.templateId} in this workspace.`);
  if (!step) throw new AppError("conflict", "This workspace has no dunning sequence to take the email from. Pass template_id, or create a sequence.");

  const { dedupeKey, alreadySent } = await manualSendSlot({
    recoveryId: recovery.id,
    timezone: recovery.workspace.timezone,
    sentLabel: "A manual email already went out",
  });
  const result = await db().$transaction((tx) =>
    createMessage(tx, {
      recovery,
      stepId: step.id,
      kind: "manual",
      dedupeKey,
      subjectTemplate: input.subject ?? step.subjectTemplate,
      bodyTemplate: step.bodyTemplate,
    }),
  );
  const message = await db().dunningMessage.findUniqueOrThrow({ where: { id: result.messageId } });
  // Two requests racing for the same hour: the loser hears about the winner's email.
  if (!result.created) throw alreadySent(message.sentAt ?? message.scheduledFor);
  return { sent: true, recoveryId: recovery.id, messageId: message.id, templateId: step.id, subject: message.subject, toEmail, queuedAt: message.scheduledFor };
}

async function defaultStep(recovery: Row & { workspaceId: string }) {
  if (recovery.sequenceId) {
    const steps = await db().dunningStep.findMany({ where: { sequenceId: recovery.sequenceId }, orderBy: { position: "asc" } });
    const done = await db().dunningMessage.findMany({
      where: { recoveryId: recovery.id, kind: "sequence", stepId: { in: steps.map((s) => s.id) } },
      select: { stepId: true },
    });
    const sent = new Set(done.map((m) => m.stepId));
    const next = steps.find((s) => !sent.has(s.id)) ?? steps[steps.length - 1];
    if (next) return next;
  }
  return (await getActiveSequence(recovery.workspaceId))?.steps[0] ?? null;
}
