import { getRevenueSummary } from "~/domain/analytics/summary.server";
import { dashboardSummaryDto } from "./dto";

/** DunningDog's DashboardSummary (`/api/dashboard/summary`) for a window. */
export async function getDashboardSummary(input: Parameters<typeof getRevenueSummary>[0]) {
  return dashboardSummaryDto(await getRevenueSummary(input));
}
