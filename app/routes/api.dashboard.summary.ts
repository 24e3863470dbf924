import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDashboardSummary } from "~/contracts/dunningdog/summary.server";
import { SUMMARY_WINDOWS } from "~/domain/analytics/summary.server";
import { hasScope } from "~/domain/auth/api-keys.server";
import { requireScope, requireWorkspace } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readQuery } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

// DunningDog's GET /api/dashboard/summary, exactly.
const QuerySchema = z.object({
  workspaceId: z.string().min(1),
  window: z.enum(SUMMARY_WINDOWS).default("month"),
});

export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await authenticateCounted(request, "dunningdog");
  const query = readQuery(request, QuerySchema);
  requireWorkspace(caller, query.workspaceId);
  if (!hasScope(caller.scopes, "analytics")) requireScope(caller, "read");
  return json(await getDashboardSummary(query));
});
