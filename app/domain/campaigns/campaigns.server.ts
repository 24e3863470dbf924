// Campaigns: the owner of a dunning sequence's targeting and lifecycle (ADR 0070). LostChurn's
// campaign endpoints, DunningDog's sequence endpoints and the dashboard all change a campaign's
// status through `transition` here, and the engine's enrollment asks `campaignForRecovery`.
import { z } from "zod";
import { AppError } from "~/domain/errors";
import { assertKnownPlaceholders } from "~/domain/dunning/templates";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { now } from "~/utils/clock.server";
import { db, type Db, type Tx } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import {
  CAMPAIGN_TRIGGERS,
  EDITABLE_STATUSES,
  TARGET_OF,
  TRANSITIONS,
  byPrecedence,
  storedFilters,
  type CampaignCandidate,
  type CampaignCommand,
  type CampaignFilters,
  type CampaignStatus,
} from "./model";
import { CAMPAIGN_TEMPLATES, findTemplate } from "./templates";

export const MAX_STEPS = 20;
const MAX_DELAY_HOURS = 24 * 365;

/** Channels a step may name. Email is sent; the model has room for SMS and in-app, which Recoup does not send yet. */
export const STEP_CHANNELS = ["email"] as const;

export const CampaignStepInputSchema = z
  .object({
    id: z.string().min(1).max(100).optional().describe("An existing step's id, to keep it (PUT); leave out for a new step."),
    channel: z
      .string()
      .default("email")
      .refine((c) => (STEP_CHANNELS as readonly string[]).includes(c), { error: "Only email steps can be sent today (channel \"email\")." })
      .describe("email (sms and in_app are reserved)."),
    delay_hours: z.number().int().min(0).max(MAX_DELAY_HOURS).describe("Hours after the payment failed that this step is due."),
    subject_template: z.string().trim().min(1).max(300),
    body_template: z.string().trim().min(1).max(20_000),
  })
  .strict();
export type CampaignStepInput = z.infer<typeof CampaignStepInputSchema>;

export interface CampaignDraft {
  name: string;
  trigger: (typeof CAMPAIGN_TRIGGERS)[number];
  filters: CampaignFilters;
  priority?: number;
  steps: CampaignStepInput[];
  templateId?: string | null;
}

const STEPS = { steps: { orderBy: [{ position: "asc" as const }, { id: "asc" as const }] } };

type CampaignRow = NonNullable<Awaited<ReturnType<typeof findCampaign>>>;

function findCampaign(client: Db | Tx, workspaceId: string, id: string) {
  return client.dunningSequence.findFirst({ where: { id, workspaceId }, include: STEPS });
}

async function mustFind(client: Db | Tx, workspaceId: string, id: string): Promise<CampaignRow> {
  const row = await findCampaign(client, workspaceId, id);
  if (!row) throw new AppError("campaign_not_found", "No campaign with that id in this workspace.");
  return row;
}

/** The columns a status sets: DunningDog's `isEnabled` is written here and nowhere else. */
export function statusColumns(status: CampaignStatus, at: Date, from?: CampaignStatus) {
  return {
    status,
    isEnabled: status === "active",
    ...(status === "active" && from !== "active" ? { activatedAt: at } : {}),
    ...(status === "completed" || status === "archived" ? { endedAt: at } : {}),
  };
}

/** Results per campaign: enrollments, of which still running, recovered and the amount won back. */
async function resultsOf(ids: string[]) {
  if (ids.length === 0) return new Map<string, CampaignResults>();
  const rows = await db().$queryRawUnsafe<Array<{ campaignId: string; enrolled: bigint; running: bigint; recovered: bigint; recoveredMinor: bigint | null }>>(
    `SELECT e."campaignId",
            count(*) AS enrolled,
            count(*) FILTER (WHERE e.status IN ('active', 'paused') AND (r.status IS NULL OR r.status = 'pending')) AS running,
            count(*) FILTER (WHERE r.status = 'recovered') AS recovered,
            sum(r."recoveredAmountCents") FILTER (WHERE r.status = 'recovered') AS "recoveredMinor"
       FROM "CampaignEnrollment" e LEFT JOIN "RecoveryAttempt" r ON r.id = e."recoveryId"
      WHERE e."campaignId" = ANY($1::text[])
      GROUP BY e."campaignId"`,
    ids,
  );
  return new Map(
    rows.map((r) => [
      r.campaignId,
      { enrolled: Number(r.enrolled), running: Number(r.running), recovered: Number(r.recovered), recoveredAmountMinor: Number(r.recoveredMinor ?? 0) },
    ]),
  );
}
export interface CampaignResults {
  enrolled: number;
  running: number;
  recovered: number;
  recoveredAmountMinor: number;
}
const NO_RESULTS: CampaignResults = { enrolled: 0, running: 0, recovered: 0, recoveredAmountMinor: 0 };

export function campaignView(row: CampaignRow, results: CampaignResults = NO_RESULTS) {
  const filters = storedFilters(row.filters);
  return {
    id: row.id,
    name: row.name,
    status: row.status as CampaignStatus,
    trigger: row.trigger,
    filters,
    filtersJson: JSON.stringify(filters),
    priority: row.priority,
    templateId: row.templateId,
    steps: row.steps.map((s, i) => ({
      id: s.id,
      position: i + 1,
      channel: s.channel,
      delayHours: s.delayHours,
      subjectTemplate: s.subjectTemplate,
      bodyTemplate: s.bodyTemplate,
    })),
    totalSteps: row.steps.length,
    results: {
      enrolled: results.enrolled,
      running: results.running,
      recovered: results.recovered,
      recoveryRate: results.enrolled ? Math.round((results.recovered / results.enrolled) * 1000) / 1000 : 0,
      recoveredAmountCents: results.recoveredAmountMinor,
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    activatedAt: row.activatedAt,
    endedAt: row.endedAt,
  };
}
export type CampaignView = ReturnType<typeof campaignView>;

export async function listCampaigns(input: { workspaceId: string; page: PageRequest; status?: CampaignStatus | CampaignStatus[]; trigger?: string; search?: string }) {
  const where = {
    workspaceId: input.workspaceId,
    ...(input.status ? { status: Array.isArray(input.status) ? { in: input.status } : input.status } : {}),
    ...(input.trigger ? { trigger: input.trigger } : {}),
    ...(input.search ? { name: { contains: input.search, mode: "insensitive" as const } } : {}),
  };
  const page = await paginate(input.page, {
    find: (args) => db().dunningSequence.findMany({ ...args, where: { ...where, ...args.where }, include: STEPS }),
    count: () => db().dunningSequence.count({ where }),
  });
  const results = await resultsOf(page.items.map((c) => c.id));
  return { ...page, items: page.items.map((c) => campaignView(c, results.get(c.id))) };
}

export async function getCampaign(input: { workspaceId: string; id: string }) {
  const row = await mustFind(db(), input.workspaceId, input.id);
  return campaignView(row, (await resultsOf([row.id])).get(row.id));
}

function checkSteps(steps: CampaignStepInput[]) {
  assertKnownPlaceholders(steps.map((s) => ({ subjectTemplate: s.subject_template, bodyTemplate: s.body_template })));
}

/** A new campaign, in draft unless `status` says otherwise (DunningDog's enabled sequence is created active). */
export async function createCampaign(input: { workspaceId: string; draft: CampaignDraft; status?: CampaignStatus }) {
  const { workspaceId, draft } = input;
  checkSteps(draft.steps);
  const at = now();
  const row = await db().dunningSequence.create({
    data: {
      workspaceId,
      name: draft.name,
      trigger: draft.trigger,
      filters: draft.filters,
      priority: draft.priority ?? 100,
      templateId: draft.templateId ?? null,
      ...statusColumns(input.status ?? "draft", at),
      createdAt: at,
      updatedAt: at,
      steps: {
        create: draft.steps.map((s, position) => ({
          workspaceId,
          position,
          channel: s.channel,
          delayHours: s.delay_hours,
          subjectTemplate: s.subject_template,
          bodyTemplate: s.body_template,
        })),
      },
    },
    include: STEPS,
  });
  return campaignView(row);
}

/** Replaces a campaign's steps: a step with an id is kept and updated, one without is added, the rest removed. */
export async function replaceSteps(tx: Tx, campaign: { id: string; workspaceId: string; steps: Array<{ id: string }> }, steps: Array<Partial<CampaignStepInput> & { id?: string }>) {
  const current = new Set(campaign.steps.map((s) => s.id));
  const seen = new Set<string>();
  steps.forEach((s, index) => {
    if (s.id === undefined) return;
    if (!current.has(s.id)) {
      throw new AppError("validation_failed", `steps.${index}.id: no step "${s.id}" in this campaign.`, {
        errors: [{ path: `steps.${index}.id`, message: "No such step in this campaign." }],
      });
    }
    if (seen.has(s.id)) {
      throw new AppError("validation_failed", `steps.${index}.id: step "${s.id}" is listed twice.`, { errors: [{ path: `steps.${index}.id`, message: "Listed twice." }] });
    }
    seen.add(s.id);
  });
  await tx.dunningStep.deleteMany({ where: { sequenceId: campaign.id, id: { notIn: [...seen] } } });
  for (const [position, s] of steps.entries()) {
    const data = { position, channel: s.channel, delayHours: s.delay_hours, subjectTemplate: s.subject_template, bodyTemplate: s.body_template };
    if (s.id) await tx.dunningStep.update({ where: { id: s.id }, data });
    else {
      if (s.delay_hours === undefined || s.subject_template === undefined || s.body_template === undefined) {
        throw new AppError("validation_failed", `steps.${position}: a new step needs delay_hours, subject_template and body_template.`, {
          errors: [{ path: `steps.${position}`, message: "A new step needs delay_hours, subject_template and body_template." }],
        });
      }
      await tx.dunningStep.create({
        data: { workspaceId: campaign.workspaceId, sequenceId: campaign.id, position, channel: s.channel ?? "email", delayHours: s.delay_hours, subjectTemplate: s.subject_template, bodyTemplate: s.body_template },
      });
    }
  }
}

function refuseUnlessEditable(row: { status: string; name: string }) {
  if (!EDITABLE_STATUSES.includes(row.status as CampaignStatus)) {
    throw new AppError(
      "campaign_state_conflict",
      `\u201c${row.name}\u201d is ${row.status}: a campaign's name, trigger, filters, priority and steps change only while it is draft or paused. Pause it first.`,
      { status: row.status, allowed_statuses: [...EDITABLE_STATUSES] },
    );
  }
}

/** LostChurn's PUT: name, trigger, filters, priority and (whole) steps, only in draft or paused (409 otherwise). */
export async function updateCampaign(input: {
  workspaceId: string;
  id: string;
  patch: { name?: string; trigger?: CampaignDraft["trigger"]; filters?: CampaignFilters; priority?: number; steps?: CampaignStepInput[] };
}) {
  const { workspaceId, id, patch } = input;
  if (patch.steps) checkSteps(patch.steps);
  const row = await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "DunningSequence" WHERE id = ${id} FOR UPDATE`;
    const existing = await mustFind(tx, workspaceId, id);
    refuseUnlessEditable(existing);
    if (patch.steps) await replaceSteps(tx, existing, patch.steps);
    return tx.dunningSequence.update({
      where: { id },
      data: { name: patch.name, trigger: patch.trigger, filters: patch.filters, priority: patch.priority, updatedAt: now() },
      include: STEPS,
    });
  });
  return campaignView(row, (await resultsOf([row.id])).get(row.id));
}

/**
 * activate (draft|paused → active), pause (active → paused), complete (active|paused → completed:
 * claims nobody new, its running enrollments finish their emails), archive (draft|paused|completed → archived). Any
 * other start is a 409 naming the statuses it may start from. Pausing pauses the enrollments (their
 * waiting emails hold); activating again resumes them through a job.
 */
export async function transition(input: { workspaceId: string; id: string; command: CampaignCommand }) {
  const row = await db().$transaction((tx) => applyTransition(tx, input));
  return campaignView(row, (await resultsOf([row.id])).get(row.id));
}

/** `transition` inside the caller's transaction; returns the campaign's row. */
export async function applyTransition(tx: Tx, input: { workspaceId: string; id: string; command: CampaignCommand }) {
  await tx.$executeRaw`SELECT 1 FROM "DunningSequence" WHERE id = ${input.id} AND "workspaceId" = ${input.workspaceId} FOR UPDATE`;
  const existing = await mustFind(tx, input.workspaceId, input.id);
  const from = existing.status as CampaignStatus;
  const allowed: readonly CampaignStatus[] = TRANSITIONS[input.command];
  if (!allowed.includes(from)) {
    throw new AppError(
      "campaign_state_conflict",
      `\u201c${existing.name}\u201d is ${from}; ${input.command} applies to a campaign that is ${allowed.join(" or ")}.`,
      { status: from, allowed_statuses: [...allowed] },
    );
  }
  if (input.command === "activate" && existing.steps.length === 0) {
    throw new AppError("campaign_state_conflict", "A campaign needs at least one step before it can be activated.", { status: from });
  }
  const at = now();
  const to = TARGET_OF[input.command];
  if (to === "paused") {
    await tx.campaignEnrollment.updateMany({ where: { campaignId: existing.id, status: "active" }, data: { status: "paused" } });
  }
  if (to === "active" && from === "paused") {
    await enqueue(queues.campaignResume, { campaignId: existing.id }, { key: `${existing.id}:${at.getTime()}`, tx });
  }
  if (to === "completed" || to === "archived") {
    // Completed: running enrollments finish their emails, paused ones end. Archived: all end.
    await tx.campaignEnrollment.updateMany({
      where: { campaignId: existing.id, status: { in: to === "completed" ? ["paused"] : ["active", "paused"] } },
      data: { status: "exited", endReason: `campaign_${to}`, endedAt: at },
    });
  }
  return tx.dunningSequence.update({ where: { id: existing.id }, data: { ...statusColumns(to, at, from), updatedAt: at }, include: STEPS });
}

export function listTemplates() {
  return CAMPAIGN_TEMPLATES.map((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    trigger: t.trigger,
    filters: t.filters,
    filtersJson: JSON.stringify(t.filters),
    steps: t.steps.map((s, i) => ({ position: i + 1, channel: "email", delayHours: s.delayHours, subjectTemplate: s.subjectTemplate, bodyTemplate: s.bodyTemplate })),
    totalSteps: t.steps.length,
  }));
}

export async function createFromTemplate(input: { workspaceId: string; templateId: string; name?: string }) {
  const template = findTemplate(input.templateId);
  if (!template) {
    throw new AppError("template_not_found", `No campaign template "${input.templateId}". GET /api/v1/campaigns/templates lists them.`, {
      template_ids: CAMPAIGN_TEMPLATES.map((t) => t.id),
    });
  }
  return createCampaign({
    workspaceId: input.workspaceId,
    draft: {
      name: input.name ?? template.name,
      trigger: template.trigger,
      filters: template.filters,
      templateId: template.id,
      steps: template.steps.map((s) => ({ channel: "email", delay_hours: s.delayHours, subject_template: s.subjectTemplate, body_template: s.bodyTemplate })),
    },
  });
}

/** The workspace's campaigns as candidates for a failed payment (those that can claim one now, or all). */
export async function campaignCandidates(client: Db | Tx, workspaceId: string, statuses: CampaignStatus[] = ["active"]) {
  const rows = await client.dunningSequence.findMany({ where: { workspaceId, status: { in: statuses } }, include: STEPS });
  return rows.map((r) => ({ ...candidateOf(r), row: r })).sort(byPrecedence);
}

export function candidateOf(r: { id: string; name: string; status: string; trigger: string; filters: unknown; priority: number; updatedAt: Date; steps: unknown[] }): CampaignCandidate {
  return { id: r.id, name: r.name, status: r.status, trigger: r.trigger, filters: storedFilters(r.filters), priority: r.priority, updatedAt: r.updatedAt, stepCount: r.steps.length };
}

