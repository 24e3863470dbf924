import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { startStripeConnect } from "~/providers/stripe/connect.server";
import { requireScope, requireWorkspace } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readJson } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

const BodySchema = z.object({ workspaceId: z.string().min(1) });

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const caller = await authenticateCounted(request, "dunningdog");
  const { workspaceId } = await readJson(request, BodySchema);
  requireWorkspace(caller, workspaceId);
  // Connecting an account lets Recoup charge it: owners, admins and admin-scoped keys only.
  requireScope(caller, "admin");
  return json(await startStripeConnect({ workspaceId }));
});
