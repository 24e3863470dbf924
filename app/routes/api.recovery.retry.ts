import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { retryInvoiceNow } from "~/domain/recovery/manual.server";
import { requireScope } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readJson } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

const BodySchema = z.object({ invoiceId: z.string().regex(/^in_\w+$/, "must be a Stripe invoice id (in_…)") });

// Revive: POST /api/recovery/retry {invoiceId}
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const caller = await authenticateCounted(request, "revive");
  requireScope(caller, "write:payments");
  const { invoiceId } = await readJson(request, BodySchema);
  const payment = await retryInvoiceNow({ workspaceId: caller.workspaceId, invoiceId });
  return json({ success: true, message: "Payment retry initiated", payment });
});
