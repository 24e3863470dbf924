// Experiments and the standing holdout (LostChurn 65–70, ADR 0072): defining, reading, stopping and
// promoting experiments, a customer's assignment, and results with confidence intervals. Which
// variant a failure follows is fixed by the engine when its recovery opens (recovery/experiments.ts).
import { z } from "zod";
import { AppError } from "~/domain/errors";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import {
  assignVariant,
  EXPERIMENT_KINDS,
  inHoldout,
  MAX_HOLDOUT_BASIS_POINTS,
  PARAMS_BY_KIND,
  SUGGESTED_HOLDOUT_BASIS_POINTS,
  type ExperimentKind,
  type VariantSpec,
} from "~/domain/recovery/experiments";
import { now } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import type { Experiment } from "../../../generated/prisma/client";
import { differenceOfMeans, differenceOfShares, meanInterval, wilson } from "./stats";

export const EXPERIMENT_STATUSES = ["running", "stopped", "completed"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const CreateExperimentSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(EXPERIMENT_KINDS),
    variants: z
      .array(
        z.object({
          key: z.string().trim().regex(/^[a-z0-9_-]{1,40}$/, { error: "Use 1–40 lower-case letters, digits, _ or -." }),
          name: z.string().trim().min(1).max(100),
          share: z.number().gt(0).lt(1),
          params: z.record(z.string(), z.unknown()).default({}),
        }),
      )
      .min(2)
      .max(5),
  })
  .superRefine((e, ctx) => {
    const total = e.variants.reduce((s, v) => s + v.share, 0);
    if (Math.abs(total - 1) > 0.001) ctx.addIssue({ code: "custom", path: ["variants"], message: `The shares add up to ${Math.round(total * 1000) / 1000}; they must add up to 1.` });
    const keys = new Set<string>();
    e.variants.forEach((v, i) => {
      if (keys.has(v.key)) ctx.addIssue({ code: "custom", path: ["variants", i, "key"], message: `"${v.key}" is used twice.` });
      keys.add(v.key);
      const parsed = PARAMS_BY_KIND[e.kind].safeParse(v.params);
      // The control (the first variant) may leave params empty: it is what the workspace does today.
      if (!parsed.success && !(i === 0 && Object.keys(v.params).length === 0)) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: ["variants", i, "params", ...issue.path.map(String)], message: issue.message });
      }
    });
  });
export type CreateExperimentInput = z.infer<typeof CreateExperimentSchema>;

function variantsOf(row: Experiment): VariantSpec[] {
  return row.variants as unknown as VariantSpec[];
}

export function experimentView(row: Experiment) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ExperimentKind,
    status: row.status as ExperimentStatus,
    variants: variantsOf(row).map((v, i) => ({ key: v.key, name: v.name, share: v.share, params: v.params, control: i === 0 })),
    winner: row.winner,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    createdAt: row.createdAt,
  };
}

async function mustFind(workspaceId: string, id: string) {
  const row = await db().experiment.findFirst({ where: { id, workspaceId } });
  if (!row) throw new AppError("experiment_not_found", "No experiment with that id in this workspace.");
  return row;
}

/** Starts an experiment: one runs at a time per workspace, so every failure's variant is unambiguous. */
export async function createExperiment(input: { workspaceId: string; experiment: CreateExperimentInput }) {
  const e = CreateExperimentSchema.parse(input.experiment);
  if (e.kind === "campaign_choice") {
    const ids = e.variants.map((v) => (v.params as { campaign_id?: string }).campaign_id).filter((id): id is string => Boolean(id));
    const found = await db().dunningSequence.count({ where: { workspaceId: input.workspaceId, id: { in: ids } } });
    if (found !== new Set(ids).size) throw new AppError("validation_failed", "A variant names a campaign that is not in this workspace.", { errors: [{ path: "variants", message: "Unknown campaign_id." }] });
  }
  return db().$transaction(async (tx) => {
    // Two starts at once: the workspace's row serialises them, so only one finds no running experiment.
    await tx.$executeRaw`SELECT 1 FROM "Workspace" WHERE id = ${input.workspaceId} FOR UPDATE`;
    const running = await tx.experiment.findFirst({ where: { workspaceId: input.workspaceId, status: "running" } });
    if (running) {
      throw new AppError("experiment_state_conflict", `\u201c${running.name}\u201d is running: stop or promote it before starting another (one experiment at a time keeps every failure's variant clear).`, {
        running_experiment_id: running.id,
      });
    }
    const at = now();
    const row = await tx.experiment.create({
      data: { workspaceId: input.workspaceId, name: e.name, kind: e.kind, status: "running", variants: e.variants as unknown as Prisma.InputJsonValue, startedAt: at },
    });
    return experimentView(row);
  });
}

export async function listExperiments(input: { workspaceId: string; page: PageRequest; status?: string }) {
  const where = { workspaceId: input.workspaceId, ...(input.status ? { status: input.status } : {}) };
  const page = await paginate(input.page, {
    find: (args) => db().experiment.findMany({ ...args, where: { ...where, ...args.where } }),
    count: () => db().experiment.count({ where }),
  });
  return { ...page, items: page.items.map(experimentView) };
}

export async function getExperiment(input: { workspaceId: string; id: string }) {
  return experimentView(await mustFind(input.workspaceId, input.id));
}

type Outcome = { status: string; recoveredAmountMinor: number | null; amountDueMinor: number; currency: string };

/** A group's numbers: failures, recovered share with its interval, recovered amount per failure (the main currency's) with its interval. */
function groupStats(rows: Outcome[], currency: string) {
  const recovered = rows.filter((r) => r.status === "recovered").length;
  const inCurrency = rows.filter((r) => r.currency === currency);
  const perFailure = inCurrency.map((r) => (r.status === "recovered" ? (r.recoveredAmountMinor ?? r.amountDueMinor) : 0));
  return {
    failures: rows.length,
    recovered,
    recoveredShare: rows.length ? Math.round((recovered / rows.length) * 10_000) / 10_000 : 0,
    recoveredShareInterval: wilson(recovered, rows.length),
    recoveredAmountCents: perFailure.reduce((s, x) => s + x, 0),
    recoveredPerFailureCents: meanInterval(perFailure),
    perFailure,
  };
}

/** The currency most of these failures are in: amounts are compared in it only. */
function mainCurrency(rows: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.currency, (counts.get(r.currency) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "usd";
}

/** Per variant: recovered share and recovered amount per failure with 95 % intervals, and each variant against the control. */
export async function experimentResults(input: { workspaceId: string; id: string }) {
  const row = await mustFind(input.workspaceId, input.id);
  const variants = variantsOf(row);
  const rows = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, experimentId: row.id },
    select: { experimentVariant: true, status: true, recoveredAmountMinor: true, amountDueMinor: true, currency: true },
  });
  const currency = mainCurrency(rows);
  const stats = variants.map((v) => ({ variant: v, ...groupStats(rows.filter((r) => r.experimentVariant === v.key), currency) }));
  const control = stats[0]!;
  const compared = stats.map((s, i) => ({
    key: s.variant.key,
    name: s.variant.name,
    control: i === 0,
    failures: s.failures,
    recovered: s.recovered,
    recoveredShare: s.recoveredShare,
    recoveredShareInterval: s.recoveredShareInterval,
    recoveredAmountCents: s.recoveredAmountCents,
    recoveredPerFailureCents: s.recoveredPerFailureCents,
    vsControl:
      i === 0
        ? null
        : {
            recoveredShareDifference: differenceOfShares(s.recovered, s.failures, control.recovered, control.failures),
            recoveredPerFailureDifferenceCents: differenceOfMeans(s.perFailure, control.perFailure),
          },
  }));
  const better = compared.filter((c) => c.vsControl && c.vsControl.recoveredShareDifference.low > 0);
  const worseAll = compared.length > 1 && compared.slice(1).every((c) => c.vsControl && c.vsControl.recoveredShareDifference.high < 0);
  const leader = better.sort((a, b) => b.recoveredShare - a.recoveredShare)[0];
  return {
    experimentId: row.id,
    status: row.status,
    currency,
    confidence: 0.95,
    variants: compared,
    winner: leader ? leader.key : worseAll ? compared[0]!.key : null,
    conclusion: leader
      ? `\u201c${leader.name}\u201d recovers a larger share than the control, and the 95 % interval of the difference is above zero.`
      : worseAll
        ? "The control recovers more than every variant: keep it."
        : "No variant differs from the control with 95 % confidence yet: keep it running, or stop it.",
  };
}

/** A running experiment's variants as the merchant's new default: applied, and the experiment completed. */
export async function promoteExperiment(input: { workspaceId: string; id: string; variant?: string }) {
  const row = await mustFind(input.workspaceId, input.id);
  if (row.status !== "running") throw new AppError("experiment_state_conflict", `This experiment is ${row.status}: only a running experiment can be promoted.`, { status: row.status });
  const results = await experimentResults(input);
  const key = input.variant ?? results.winner;
  if (!key) throw new AppError("experiment_state_conflict", `No variant has won yet (${results.conclusion}) Name one with \`variant\` to promote it anyway.`, { status: row.status });
  const variant = variantsOf(row).find((v) => v.key === key);
  if (!variant) throw new AppError("validation_failed", `No variant "${key}" in this experiment.`, { errors: [{ path: "variant", message: "Unknown variant." }] });
  await db().$transaction(async (tx) => {
    await applyVariant(tx, input.workspaceId, row.kind as ExperimentKind, variant.params);
    await tx.experiment.update({ where: { id: row.id }, data: { status: "completed", winner: key, endedAt: now() } });
  });
  return { ...experimentView(await mustFind(input.workspaceId, input.id)), applied: describeApplied(row.kind as ExperimentKind, variant.params) };
}

function describeApplied(kind: ExperimentKind, params: Record<string, unknown>): string {
  if (Object.keys(params).length === 0) return "The control won: nothing changes.";
  if (kind === "retry_timing") return `Retry settings now include ${JSON.stringify(params)}.`;
  if (kind === "email_cadence") return `Every active campaign's step delays were multiplied by ${String(params.delay_scale)}.`;
  return `Campaign ${String(params.campaign_id)} now goes first among the active campaigns.`;
}

async function applyVariant(tx: Prisma.TransactionClient, workspaceId: string, kind: ExperimentKind, params: Record<string, unknown>) {
  if (Object.keys(params).length === 0) return;
  if (kind === "retry_timing") {
    const p = PARAMS_BY_KIND.retry_timing.parse(params);
    const ws = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { retrySettings: true } });
    const current = (ws.retrySettings ?? {}) as Record<string, unknown>;
    const next = {
      ...current,
      ...(p.max_retries !== undefined ? { maxRetries: p.max_retries } : {}),
      ...(p.retry_window_days !== undefined ? { retryWindowDays: p.retry_window_days } : {}),
      ...(p.preferred_local_hours !== undefined ? { preferredLocalHours: p.preferred_local_hours } : {}),
      ...(p.payday_aware !== undefined ? { paydayAware: p.payday_aware } : {}),
    };
    await tx.workspace.update({ where: { id: workspaceId }, data: { retrySettings: next } });
  } else if (kind === "email_cadence") {
    const { delay_scale } = PARAMS_BY_KIND.email_cadence.parse(params);
    const steps = await tx.dunningStep.findMany({ where: { workspaceId, sequence: { status: "active" } }, select: { id: true, delayHours: true } });
    for (const s of steps) await tx.dunningStep.update({ where: { id: s.id }, data: { delayHours: Math.round(s.delayHours * delay_scale) } });
  } else {
    const { campaign_id } = PARAMS_BY_KIND.campaign_choice.parse(params);
    const first = await tx.dunningSequence.aggregate({ where: { workspaceId, status: "active" }, _min: { priority: true } });
    await tx.dunningSequence.updateMany({ where: { id: campaign_id, workspaceId }, data: { priority: Math.max(0, (first._min.priority ?? 100) - 1) } });
  }
}

export async function stopExperiment(input: { workspaceId: string; id: string }) {
  const row = await mustFind(input.workspaceId, input.id);
  if (row.status !== "running") throw new AppError("experiment_state_conflict", `This experiment is already ${row.status}.`, { status: row.status });
  // Recoveries already assigned keep their variant to the end; new failures get none.
  const stopped = await db().experiment.update({ where: { id: row.id }, data: { status: "stopped", endedAt: now() } });
  return experimentView(stopped);
}

/** Which variant a customer gets (or got): the running experiment's, or the given one's; and whether they are held out. */
export async function assignmentOf(input: { workspaceId: string; customerId: string; experimentId?: string }) {
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: input.workspaceId }, select: { id: true, holdoutBasisPoints: true } });
  // A Recoup customer id or the PSP's own: assignment is by the PSP's customer key, as the engine assigns.
  const customer = await db().customer.findFirst({
    where: { workspaceId: input.workspaceId, OR: [{ id: input.customerId }, { externalId: input.customerId }] },
    select: { externalId: true },
  });
  const key = customer?.externalId ?? input.customerId;
  const experiment = input.experimentId
    ? await mustFind(input.workspaceId, input.experimentId)
    : await db().experiment.findFirst({ where: { workspaceId: input.workspaceId, status: "running" }, orderBy: { startedAt: "asc" } });
  const holdout = inHoldout(workspace.holdoutBasisPoints, workspace.id, key);
  const variant = experiment && !holdout ? assignVariant(experiment.id, variantsOf(experiment), key) : null;
  return {
    customerId: key,
    holdout,
    experimentId: experiment?.id ?? null,
    experimentStatus: experiment?.status ?? null,
    variant: variant?.key ?? null,
    variantName: variant?.name ?? null,
    known: customer !== null,
  };
}

// ---- the standing holdout ----

export async function holdoutSettings(workspaceId: string) {
  const ws = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { holdoutBasisPoints: true } });
  return { share: ws.holdoutBasisPoints / 10_000, enabled: ws.holdoutBasisPoints > 0, suggestedShare: SUGGESTED_HOLDOUT_BASIS_POINTS / 10_000, maxShare: MAX_HOLDOUT_BASIS_POINTS / 10_000 };
}

export async function setHoldout(input: { workspaceId: string; share: number }) {
  const bp = Math.round(input.share * 10_000);
  if (bp < 0 || bp > MAX_HOLDOUT_BASIS_POINTS) {
    const message = `The holdout share is between 0 % (off) and ${MAX_HOLDOUT_BASIS_POINTS / 100} %.`;
    throw new AppError("validation_failed", message, { errors: [{ path: "share", message }] });
  }
  await db().workspace.update({ where: { id: input.workspaceId }, data: { holdoutBasisPoints: bp } });
  return holdoutSettings(input.workspaceId);
}

/** Whether the holdout is on, or held-out failures of the last `days` are still there to compare: otherwise there is nothing to report (two indexed reads). */
export async function holdoutInUse(input: { workspaceId: string; days: number }): Promise<boolean> {
  const since = new Date(now().getTime() - input.days * 86_400_000);
  const [ws, held] = await Promise.all([
    db().workspace.findUniqueOrThrow({ where: { id: input.workspaceId }, select: { holdoutBasisPoints: true } }),
    db().recovery.count({ where: { workspaceId: input.workspaceId, holdout: true, startedAt: { gte: since } } }),
  ]);
  return ws.holdoutBasisPoints > 0 || held > 0;
}

/**
 * What Recoup adds: the recovered share of the failures it worked on against the held-out ones
 * (same period, same customers' mix by construction), the difference with its 95 % interval, and
 * the amount that difference is worth over the treated failures ("recovered because of Recoup").
 */
export async function incrementalRecovery(input: { workspaceId: string; days: number; livemode?: boolean }) {
  const since = new Date(now().getTime() - input.days * 86_400_000);
  const rows = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, startedAt: { gte: since }, erasedAt: null, ...(input.livemode === undefined ? {} : { livemode: input.livemode }) },
    select: { holdout: true, status: true, recoveredAmountMinor: true, amountDueMinor: true, currency: true },
  });
  const currency = mainCurrency(rows);
  const treated = groupStats(rows.filter((r) => !r.holdout), currency);
  const held = groupStats(rows.filter((r) => r.holdout), currency);
  const lift = differenceOfShares(treated.recovered, treated.failures, held.recovered, held.failures);
  const perFailure = differenceOfMeans(treated.perFailure, held.perFailure);
  const treatedInCurrency = rows.filter((r) => !r.holdout && r.currency === currency).length;
  const enough = held.failures >= 30 && treated.failures >= 30;
  const strip = ({ perFailure: _p, ...rest }: ReturnType<typeof groupStats>) => rest;
  return {
    days: input.days,
    currency,
    holdout: await holdoutSettings(input.workspaceId),
    treated: strip(treated),
    heldOut: strip(held),
    incrementalShare: lift,
    incrementalPerFailureCents: perFailure,
    recoveredBecauseOfRecoupCents: {
      estimate: Math.round(perFailure.estimate * treatedInCurrency),
      low: Math.round(perFailure.low * treatedInCurrency),
      high: Math.round(perFailure.high * treatedInCurrency),
    },
    enoughData: enough,
    note: enough
      ? "Held-out failures got only the platform's own collection; the difference is what Recoup added, with a 95 % interval."
      : "Fewer than 30 failures on one side: the interval is too wide to rely on yet.",
  };
}
