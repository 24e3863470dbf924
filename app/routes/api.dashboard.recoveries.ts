import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { listRecoveries } from "~/contracts/dunningdog/recoveries.server";
import { RECOVERY_STATUSES } from "~/domain/recovery/queries.server";
import { requireScope, requireWorkspace } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readQuery } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

// DunningDog's GET /api/dashboard/recoveries, exactly: newest first, opaque cursor.
const QuerySchema = z.object({
  workspaceId: z.string().min(1),
  status: z.enum(RECOVERY_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});

export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await authenticateCounted(request, "dunningdog");
  const query = readQuery(request, QuerySchema);
  requireWorkspace(caller, query.workspaceId);
  requireScope(caller, "read:recoveries");
  return json(await listRecoveries(query));
});
