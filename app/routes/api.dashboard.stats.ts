import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDashboardStats } from "~/contracts/revive/stats.server";
import { hasScope } from "~/domain/auth/api-keys.server";
import { requireScope } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readQuery } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

// Revive's GET /api/dashboard/stats, for the caller's own workspace.
const QuerySchema = z.object({ accountId: z.string().min(1).optional() });

export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await authenticateCounted(request, "revive");
  const query = readQuery(request, QuerySchema);
  if (!hasScope(caller.scopes, "analytics")) requireScope(caller, "read");
  return json(await getDashboardStats({ workspaceId: caller.workspaceId, accountId: query.accountId }));
});
