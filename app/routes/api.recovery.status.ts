import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getRecoveryStatus } from "~/contracts/revive/recovery-status.server";
import { requireScope } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readQuery } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

// Revive's GET /api/recovery/status: by Stripe invoice id, or a Stripe customer's most recent recovery.
const QuerySchema = z
  .object({ invoiceId: z.string().min(1).optional(), customerId: z.string().min(1).optional() })
  .refine((q) => Boolean(q.invoiceId) !== Boolean(q.customerId), {
    message: "Give exactly one of invoiceId or customerId.",
    path: ["invoiceId"],
  });

export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await authenticateCounted(request, "revive");
  const query = readQuery(request, QuerySchema);
  requireScope(caller, "read:payments");
  return json(await getRecoveryStatus({ workspaceId: caller.workspaceId, ...query }));
});
