import { getDashboardSummary } from "~/contracts/dunningdog/summary.server";
import { pauseRecovery, resumeRecovery, retryNow, retrySettingsFor } from "~/domain/recovery/engine.server";
import { listRecoveriesForPages } from "~/contracts/dashboard/recoveries.server";
import { findRecoveriesFor, getRecoveryTimeline } from "~/domain/recovery/timeline.server";
import { AppError } from "~/domain/errors";
import { recoveryAttemptDto, recoveryTimelineDto } from "~/contracts/dunningdog/dto";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";

// What the Stripe Dashboard views show. Every function is scoped to the workspace
// the signed account resolved to; nothing here trusts an id from the body alone.

const OPEN_RECOVERIES_SHOWN = 20;

async function workspaceOf(workspaceId: string) {
  return db().workspace.findUniqueOrThrow({ where: { id: workspaceId } });
}

/** The drawer: this month's numbers and the open recoveries, newest first. */
export async function getStripeAppOverview(input: { workspaceId: string }) {
  const { workspaceId } = input;
  const [workspace, summary, open, openCount] = await Promise.all([
    workspaceOf(workspaceId),
    getDashboardSummary({ workspaceId, window: "month" }),
    listRecoveriesForPages({ workspaceId, status: "pending", limit: OPEN_RECOVERIES_SHOWN }),
    db().recovery.count({ where: { workspaceId, status: "pending" } }),
  ]);
  const extras = await db().recovery.findMany({
    where: { workspaceId, id: { in: open.items.map((i) => i.attempt.id) } },
    select: { id: true, paused: true, customer: { select: { name: true, email: true } } },
  });
  const byId = new Map(extras.map((e) => [e.id, e]));
  return {
    workspace: { id: workspace.id, name: workspace.name },
    summary: {
      window: summary.window,
      windowStart: summary.windowStart,
      currency: summary.currency,
      failedRevenueCents: summary.failedRevenueCents,
      recoveredRevenueCents: summary.recoveredRevenueCents,
      recoveryRate: summary.recoveryRate,
      atRiskCount: summary.atRiskCount,
      openCount,
    },
    openRecoveries: open.items.map(({ attempt, reference }) => {
      const extra = byId.get(attempt.id);
      return {
        ...attempt,
        // The invoice (or a Shopify contract, in a workspace that has both) and customer in words.
        reference,
        paused: extra?.paused ?? false,
        customerName: extra?.customer?.name ?? null,
        customerEmail: extra?.customer?.email ?? null,
      };
    }),
    hasMore: open.nextCursor !== null,
  };
}

/** A customer's or an invoice's recoveries, and the latest one's timeline. */
export async function getStripeAppRecoveries(input: { workspaceId: string; customerId?: string; invoiceId?: string }) {
  if (!input.customerId === !input.invoiceId) {
    throw new AppError("validation_failed", "Give exactly one of customer_id or invoice_id.");
  }
  const rows = await findRecoveriesFor({
    workspaceId: input.workspaceId,
    externalCustomerId: input.customerId,
    externalId: input.invoiceId,
  });
  const latest = rows[0] ? recoveryTimelineDto(await getRecoveryTimeline({ workspaceId: input.workspaceId, recoveryId: rows[0].id })) : null;
  return { recoveries: rows.map(recoveryAttemptDto), latest };
}

export const STRIPE_APP_ACTIONS = ["retry", "pause", "resume"] as const;
export type StripeAppAction = (typeof STRIPE_APP_ACTIONS)[number];

const RUN = { retry: retryNow, pause: pauseRecovery, resume: resumeRecovery } as const;
const DONE = { retry: "retried", pause: "paused", resume: "resumed" } as const;

/**
 * Retry now, pause or resume, from the invoice or customer page; answers with
 * the recovery's timeline as it is afterwards. A refusal is a 409 in plain words.
 */
export async function runStripeAppAction(input: { workspaceId: string; recoveryId: string; action: StripeAppAction }) {
  try {
    await RUN[input.action]({ workspaceId: input.workspaceId, recoveryId: input.recoveryId });
  } catch (error) {
    if (error instanceof AppError && error.code === "recovery_closed") {
      throw new AppError("conflict", `This recovery is already closed, so it can't be ${DONE[input.action]}.`);
    }
    throw error;
  }
  return recoveryTimelineDto(await getRecoveryTimeline({ workspaceId: input.workspaceId, recoveryId: input.recoveryId }));
}

/** The settings page: the retry policy in force (read-only here) and where to change it. */
export async function getStripeAppSettings(input: { workspaceId: string }) {
  const workspace = await workspaceOf(input.workspaceId);
  const settings = retrySettingsFor(workspace);
  const activeSequences = await db().dunningSequence.count({ where: { workspaceId: workspace.id, isEnabled: true } });
  return {
    workspace: { id: workspace.id, name: workspace.name, timezone: workspace.timezone },
    retryPolicy: {
      maxRetries: settings.maxRetries,
      retryWindowDays: settings.retryWindowDays,
      preferredLocalHours: settings.preferredLocalHours,
      paydayAware: settings.paydayAware,
      quietHours: settings.quietHours,
    },
    activeSequences,
    dashboardUrl: `${env().APP_URL}/dashboard`,
  };
}
