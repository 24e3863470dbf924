// /api/v1 settings (LostChurn 53–56): quiet hours, and the recovery goal with this period's progress.
import { DateTime } from "luxon";
import { z } from "zod";
import { revenueSince } from "~/domain/analytics/summary.server";
import { recoveryRateOf, reportingWorkspace } from "~/domain/analytics/snapshots.server";
import { getWorkspaceSettings, updateQuietHours } from "~/domain/settings/settings.server";
import { TimezoneSchema } from "~/domain/settings/schemas";
import { AppError } from "~/domain/errors";
import { now as clockNow } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

const hour = z.number().int().min(0).max(23);

export const QUIET_HOURS_DOC =
  "Recoup charges no retry and sends no dunning email inside quiet hours: a retry or email due then waits for `end_hour`. " +
  "The hours are read in the customer's own timezone when Recoup knows it (the customer's `timezone`), " +
  "else in `timezone`, the workspace's timezone (which also dates the dashboard's reports). " +
  "`start_hour` may be later than `end_hour`: 22 to 8 runs past midnight. Emails the merchant sends on purpose " +
  "(`POST /api/v1/recoveries/{id}/dunning`, a test email) and retries the merchant asks for (`POST …/retry`) are not held.";

export const QuietHoursSchema = z
  .object({
    enabled: z.boolean().describe("False: no quiet hours."),
    start_hour: hour.nullable().describe("Local hour quiet hours begin (0–23); null when disabled."),
    end_hour: hour.nullable().describe("Local hour they end (0–23), exclusive; null when disabled."),
    timezone: z.string().describe("The workspace's IANA timezone: quiet hours apply in it when the customer's is unknown."),
    applies_in: z.literal("customer_timezone_else_workspace").describe("Whose clock quiet hours follow."),
  })
  .register(API_SCHEMA_NAMES, { id: "QuietHours" });

export const SetQuietHoursSchema = z
  .object({
    start_hour: z.number().int().min(0).max(23).describe("Hour quiet hours begin (0–23)."),
    end_hour: z.number().int().min(0).max(23).describe("Hour they end (0–23); must differ from start_hour."),
    timezone: TimezoneSchema.describe("IANA timezone (e.g. America/New_York): becomes the workspace's timezone."),
    enabled: z.boolean().optional().describe("False clears quiet hours (the timezone is still saved). Default true."),
  })
  .refine((q) => q.start_hour !== q.end_hour, { error: "Quiet hours must start and end at different hours.", path: ["end_hour"] });

type QuietHoursBody = z.infer<typeof SetQuietHoursSchema>;

function quietHoursView(settings: Awaited<ReturnType<typeof getWorkspaceSettings>>) {
  const quiet = settings.retry.effective.quietHours;
  const enabled = Boolean(quiet && quiet.start !== quiet.end);
  return {
    enabled,
    startHour: enabled ? quiet!.start : null,
    endHour: enabled ? quiet!.end : null,
    timezone: settings.timezone,
    appliesIn: "customer_timezone_else_workspace" as const,
  };
}

export async function getQuietHours(workspaceId: string) {
  return quietHoursView(await getWorkspaceSettings(workspaceId));
}

export async function setQuietHours(input: { workspaceId: string; body: QuietHoursBody }) {
  const { body } = input;
  const quietHours = body.enabled === false ? null : { start: body.start_hour, end: body.end_hour };
  try {
    return quietHoursView(await updateQuietHours({ workspaceId: input.workspaceId, quietHours, timezone: body.timezone }));
  } catch (error) {
    // The settings' own check (quiet hours may not swallow every retry hour) names the dashboard's field.
    if (error instanceof AppError && error.code === "validation_failed") {
      throw new AppError("validation_failed", error.message, { errors: [{ path: "body.start_hour", message: error.message }] });
    }
    throw error;
  }
}

// ---------- recovery goal ----------

export const GOAL_PERIODS = ["monthly", "quarterly", "annual"] as const;
type GoalPeriod = (typeof GOAL_PERIODS)[number];

export const SetRecoveryGoalSchema = z.object({
  target_rate: z.number().min(0).max(1).describe("Target recovery rate, 0.0–1.0: recovered revenue / failed revenue in the period."),
  period: z.enum(GOAL_PERIODS).optional().describe("Calendar period in the workspace's timezone. Default monthly."),
  target_amount_cents: z
    .number()
    .int()
    .min(1)
    .max(1_000_000_000_000)
    .nullable()
    .optional()
    .describe("Optional: recovered revenue to reach in the period, minor units of the workspace's reporting currency (`currency`)."),
});

export const RecoveryGoalSchema = z
  .object({
    configured: z.boolean().describe("False until a goal is set; progress is still reported."),
    target_rate: z.number().min(0).max(1).nullable(),
    target_amount_cents: z.number().int().nullable(),
    period: z.enum(GOAL_PERIODS),
    currency: z.string().describe("The workspace's reporting currency: only payments in it count (amounts in other currencies cannot be added up)."),
    period_start: z.iso.datetime(),
    period_end: z.iso.datetime(),
    progress: z.object({
      failed_revenue_cents: z.number().int().describe("Amount due of payments that failed in the period."),
      recovered_revenue_cents: z.number().int().describe("Amount recovered in the period."),
      current_rate: z.number().min(0).max(1).describe("recovered / failed in the period (4 decimals; 0 with no failures), as on the dashboard."),
      rate_progress: z.number().min(0).nullable().describe("current_rate / target_rate (1 = reached); null without a target."),
      amount_progress: z.number().min(0).nullable().describe("recovered / target_amount_cents; null without an amount target."),
      achieved: z.boolean().describe("Every target set is reached."),
      elapsed: z.number().min(0).max(1).describe("Share of the period gone by."),
    }),
    updated_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "RecoveryGoal" });

function periodBounds(period: GoalPeriod, at: Date, zone: string): { start: Date; end: Date } {
  const unit = period === "monthly" ? "month" : period === "quarterly" ? "quarter" : "year";
  const start = DateTime.fromJSDate(at, { zone }).startOf(unit);
  return { start: start.toJSDate(), end: start.plus(unit === "month" ? { months: 1 } : unit === "quarter" ? { months: 3 } : { years: 1 }).toJSDate() };
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

export async function getRecoveryGoal(workspaceId: string, at: Date = clockNow()) {
  const workspace = await reportingWorkspace(workspaceId);
  const goal = await db().recoveryGoal.findUnique({ where: { workspaceId } });
  const period = (goal && (GOAL_PERIODS as readonly string[]).includes(goal.period) ? goal.period : "monthly") as GoalPeriod;
  const { start, end } = periodBounds(period, at, workspace.zone);
  const totals = await revenueSince({ workspaceId, currency: workspace.currency, zone: workspace.zone, from: start, now: at });
  const currentRate = recoveryRateOf(totals.failedRevenueMinor, totals.recoveredRevenueMinor);
  const targetRate = goal?.targetRate ?? null;
  const targetAmount = goal?.targetAmountMinor ?? null;
  const rateProgress = targetRate === null ? null : targetRate === 0 ? 1 : round(currentRate / targetRate);
  const amountProgress = targetAmount === null ? null : round(totals.recoveredRevenueMinor / targetAmount);
  return {
    configured: goal !== null,
    targetRate,
    targetAmountCents: targetAmount,
    period,
    currency: workspace.currency,
    periodStart: start,
    periodEnd: end,
    progress: {
      failedRevenueCents: totals.failedRevenueMinor,
      recoveredRevenueCents: totals.recoveredRevenueMinor,
      currentRate,
      rateProgress,
      amountProgress,
      achieved: goal !== null && (rateProgress === null || rateProgress >= 1) && (amountProgress === null || amountProgress >= 1),
      elapsed: round(Math.min(1, Math.max(0, (at.getTime() - start.getTime()) / (end.getTime() - start.getTime())))),
    },
    updatedAt: goal?.updatedAt ?? null,
  };
}

export async function setRecoveryGoal(input: { workspaceId: string; body: z.infer<typeof SetRecoveryGoalSchema> }) {
  const { body } = input;
  // A field left out is unchanged on an update (period: monthly on creation); null clears the amount.
  const data = {
    targetRate: body.target_rate,
    ...(body.period !== undefined ? { period: body.period } : {}),
    ...(body.target_amount_cents !== undefined ? { targetAmountMinor: body.target_amount_cents } : {}),
  };
  await reportingWorkspace(input.workspaceId);
  await db().recoveryGoal.upsert({
    where: { workspaceId: input.workspaceId },
    create: { workspaceId: input.workspaceId, ...data },
    update: data,
  });
  return getRecoveryGoal(input.workspaceId);
}
