import { redirect } from "@remix-run/node";
import { z } from "zod";
import { DEFAULT_WINDOW } from "./pages";
import { getOverview } from "~/domain/analytics/overview.server";
import { SUMMARY_WINDOWS } from "~/domain/analytics/summary.server";
import { RECOVERY_STATUSES } from "~/domain/recovery/queries.server";
import { dashboardSummaryDto } from "~/contracts/dunningdog/dto";
import { listRecoveriesForPages } from "./recoveries.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { AppError } from "~/domain/errors";

// The overview page, server side, for every home of the merchant UI (/dashboard, /app inside the
// Shopify admin): the cards, the trend and one page of recoveries. Each home adds its own notices.

const OVERVIEW_PAGE_SIZE = 20;

// A hand-edited URL falls back to the defaults rather than failing the page.
const OverviewQuerySchema = z.object({
  window: z.enum(SUMMARY_WINDOWS).catch(DEFAULT_WINDOW),
  status: z.enum(RECOVERY_STATUSES).optional().catch(undefined),
  cursor: z.string().min(1).max(600).optional().catch(undefined),
});

export async function loadOverviewPage(input: { workspaceId: string; request: Request }) {
  const { workspaceId } = input;
  const url = new URL(input.request.url);
  const query = OverviewQuerySchema.parse(Object.fromEntries(url.searchParams));
  const [overview, recoveries, workspace] = await Promise.all([
    getOverview({ workspaceId, window: query.window }),
    listRecoveriesForPages({ workspaceId, status: query.status, cursor: query.cursor, limit: OVERVIEW_PAGE_SIZE }).catch((error) => {
      // A stale or hand-edited cursor: the first page instead.
      if (!(error instanceof AppError && error.code === "invalid_cursor")) throw error;
      url.searchParams.delete("cursor");
      throw redirect(`${url.pathname}${url.search}`);
    }),
    getWorkspace(workspaceId),
  ]);
  const { summary, trend, atRiskRevenueMinor, openRecoveries, activeRetries } = overview;
  // The cards read DashboardSummary's names (DunningDog's, the summary they were built on).
  const extras = { atRiskRevenueCents: atRiskRevenueMinor, openRecoveries, activeRetries };
  return { summary: dashboardSummaryDto(summary), extras, trend, recoveries, query, timeZone: workspace.timezone };
}

export type OverviewPage = Awaited<ReturnType<typeof loadOverviewPage>>;
