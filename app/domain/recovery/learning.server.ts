// What a workspace's own retries taught: read (by the engine's `decide`), recomputed (by the nightly
// workspace-learning job) and summarised (for the settings page). ADRs 0050–0051.
import { zoneOf } from "~/utils/customer-zone";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { Prisma } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import {
  bestBuckets,
  dayOfMonthFactors,
  hourFactors,
  learnRates,
  LEARNING_MIN_ATTEMPTS,
  ratesFromJson,
  ratesToJson,
  weekdayFactors,
  type LearnedRates,
  type RetryOutcome,
} from "./learning";

const DAY = 86_400_000;
/** Retries older than this describe a customer base and issuers that may have changed. */
export const LEARNING_WINDOW_DAYS = 180;

/**
 * What the policy may use of the workspace's learning: null when there is none yet or too little
 * (below LEARNING_MIN_ATTEMPTS, the policy keeps its prior). One read by primary key.
 */
export async function learnedRatesFor(workspaceId: string, tx?: Tx): Promise<LearnedRates | null> {
  const row = await (tx ?? db()).workspaceLearning.findUnique({ where: { workspaceId } });
  if (!row || row.attempts < LEARNING_MIN_ATTEMPTS) return null;
  return ratesFromJson(row.rates);
}

type Row = RetryOutcome & { timezone: string | null };

/**
 * The workspace's decided Recoup retries of the window (live mode only: test cards say nothing about
 * issuers), each with the code of the failure it followed (the latest failed attempt before it on the
 * same recovery, whoever made it; else the recovery's own code) and its customer's time zone.
 */
async function decidedRetries(workspaceId: string, since: Date): Promise<Row[]> {
  return db().$queryRaw<Row[]>(Prisma.sql`
    SELECT r."attemptedAt",
           r.status = 'succeeded' AS succeeded,
           COALESCE(
             (SELECT COALESCE(p."declineCode", p."errorCode") FROM "RetryAttempt" p
               WHERE p."recoveryAttemptId" = r."recoveryAttemptId" AND p.status = 'failed' AND p."attemptedAt" < r."attemptedAt"
               ORDER BY p."attemptedAt" DESC LIMIT 1),
             rec."declineCode", rec."errorCode"
           ) AS "declineCode",
           c.timezone
      FROM "RetryAttempt" r
      JOIN "RecoveryAttempt" rec ON rec.id = r."recoveryAttemptId"
      LEFT JOIN "Customer" c ON c.id = rec."customerId"
     WHERE r."workspaceId" = ${workspaceId}
       AND r.source = 'recoup'
       AND r.status IN ('succeeded', 'failed')
       AND r."attemptedAt" >= ${since}
       AND rec.livemode`);
}

/** Recomputes and stores what the workspace's retries of the last 180 days teach. */
export async function refreshWorkspaceLearning(input: { workspaceId: string }): Promise<{ attempts: number }> {
  const workspace = await db().workspace.findUnique({ where: { id: input.workspaceId }, select: { id: true, timezone: true } });
  if (!workspace) return { attempts: 0 };
  const at = now();
  const rows = await decidedRetries(workspace.id, new Date(at.getTime() - LEARNING_WINDOW_DAYS * DAY));
  const learned = learnRates(rows, (row) => zoneOf(row.timezone, workspace.timezone));
  const stored = {
    rates: learned ? (ratesToJson(learned) as Prisma.InputJsonObject) : Prisma.DbNull,
    attempts: learned?.attempts ?? 0,
    computedAt: at,
  };
  await db().workspaceLearning.upsert({ where: { workspaceId: workspace.id }, create: { workspaceId: workspace.id, ...stored }, update: stored });
  return { attempts: stored.attempts };
}

/** The nightly run: one job per active workspace, keyed by the workspace and the day (a re-run sends none twice). */
export async function enqueueWorkspaceLearning(): Promise<{ enqueued: number }> {
  const day = now().toISOString().slice(0, 10);
  const workspaces = await db().workspace.findMany({ where: { isActive: true, isDemo: false }, select: { id: true } });
  for (const { id } of workspaces) await enqueue(queues.workspaceLearning, { workspaceId: id }, { key: `${id}:${day}` });
  return { enqueued: workspaces.length };
}

export interface LearningSummary {
  /** Decided retries counted, and how many more are needed before the policy uses them (0 once learned). */
  attempts: number;
  needed: number;
  computedAt: Date | null;
  /** Customer-local hours (0–23), weekdays (0 = Monday) and days of the month (1–31) that did notably better, best first. */
  bestHours: number[];
  bestWeekdays: number[];
  bestDaysOfMonth: number[];
}

/** What the settings page shows of the workspace's learning. */
export async function learningSummary(workspaceId: string): Promise<LearningSummary> {
  const row = await db().workspaceLearning.findUnique({ where: { workspaceId } });
  const learned = row && row.attempts >= LEARNING_MIN_ATTEMPTS ? ratesFromJson(row.rates) : null;
  return {
    attempts: row?.attempts ?? 0,
    needed: Math.max(0, LEARNING_MIN_ATTEMPTS - (row?.attempts ?? 0)),
    computedAt: row?.computedAt ?? null,
    bestHours: bestBuckets(hourFactors(learned)),
    bestWeekdays: bestBuckets(weekdayFactors(learned)),
    bestDaysOfMonth: bestBuckets(dayOfMonthFactors(learned)).map((index) => index + 1),
  };
}
