import { redirect } from "@remix-run/node";
import { z } from "zod";
import { DEFAULT_WINDOW } from "./pages";
import { getOverview } from "~/domain/analytics/overview.server";
import { SUMMARY_WINDOWS } from "~/domain/analytics/summary.server";
import { dashboardSummaryDto } from "~/contracts/dunningdog/dto";
import { isFiltered, listRecoveriesForPages, recoveryFilterOptions, recoveryFiltersOf } from "./recoveries.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { AppError } from "~/domain/errors";
import { holdoutInUse, incrementalRecovery } from "~/domain/experiments/experiments.server";

// The overview page, server side, for every home of the merchant UI (/dashboard, /app inside the
// Shopify admin): the cards, the trend and one page of recoveries. Each home adds its own notices.

const OVERVIEW_PAGE_SIZE = 20;

// A hand-edited URL falls back to the defaults rather than failing the page.
const OverviewQuerySchema = z.object({
  window: z.enum(SUMMARY_WINDOWS).catch(DEFAULT_WINDOW),
  cursor: z.string().min(1).max(600).optional().catch(undefined),
});

export async function loadOverviewPage(input: { workspaceId: string; request: Request }) {
  const { workspaceId } = input;
  const url = new URL(input.request.url);
  const filters = recoveryFiltersOf(url);
  const query = { ...OverviewQuerySchema.parse(Object.fromEntries(url.searchParams)), ...filters };
  const workspaceRead = getWorkspace(workspaceId);
  // A date range is in the workspace's local days: only then does the list wait for its zone.
  const listed = async () => {
    const timeZone = filters.from || filters.to ? (await workspaceRead).timezone : "UTC";
    return listRecoveriesForPages({ workspaceId, timeZone, filters, cursor: query.cursor, limit: OVERVIEW_PAGE_SIZE });
  };
  const [overview, recoveries, workspace, filterOptions, incremental] = await Promise.all([
    getOverview({ workspaceId, window: query.window }),
    listed().catch((error) => {
      // A stale or hand-edited cursor: the first page instead.
      if (!(error instanceof AppError && error.code === "invalid_cursor")) throw error;
      url.searchParams.delete("cursor");
      throw redirect(`${url.pathname}${url.search}`);
    }),
    workspaceRead,
    recoveryFilterOptions(workspaceId),
    incrementalCard(workspaceId, query.window),
  ]);
  const { summary, trend, atRiskRevenueMinor, openRecoveries, activeRetries } = overview;
  // The cards read DashboardSummary's names (DunningDog's, the summary they were built on).
  const extras = { atRiskRevenueCents: atRiskRevenueMinor, openRecoveries, activeRetries, incremental };
  return {
    summary: dashboardSummaryDto(summary),
    extras,
    trend,
    recoveries,
    query,
    filtered: isFiltered(filters),
    filterOptions,
    timeZone: workspace.timezone,
  };
}

/** The overview's "Recovered because of Recoup" card. */
export interface IncrementalCard {
  currency: string;
  estimateCents: number;
  lowCents: number;
  highCents: number;
  liftPoints: number;
  heldOut: number;
  treated: number;
  sharePercent: number;
  enoughData: boolean;
}

const WINDOW_DAYS: Record<(typeof SUMMARY_WINDOWS)[number], number> = { "7d": 7, "30d": 30, "90d": 90, month: 31, lifetime: 365 };

/** "Recovered because of Recoup" over the period, while the standing holdout is on (ADR 0072). */
async function incrementalCard(workspaceId: string, window: (typeof SUMMARY_WINDOWS)[number]): Promise<IncrementalCard | null> {
  // Every overview load: the window's failures are read only while there is a holdout to compare with.
  if (!(await holdoutInUse({ workspaceId, days: WINDOW_DAYS[window] }))) return null;
  const r = await incrementalRecovery({ workspaceId, days: WINDOW_DAYS[window] });
  return {
    currency: r.currency,
    estimateCents: r.recoveredBecauseOfRecoupCents.estimate,
    lowCents: r.recoveredBecauseOfRecoupCents.low,
    highCents: r.recoveredBecauseOfRecoupCents.high,
    liftPoints: Math.round(r.incrementalShare.estimate * 1000) / 10,
    heldOut: r.heldOut.failures,
    treated: r.treated.failures,
    sharePercent: Math.round(r.holdout.share * 1000) / 10,
    enoughData: r.enoughData,
  };
}

export type OverviewPage = Awaited<ReturnType<typeof loadOverviewPage>>;
