import type { ActionFunctionArgs } from "@remix-run/node";
import { createSequence, CreateSequenceSchema, sequenceDto } from "~/domain/campaigns/sequences.server";
import { requireScope, requireWorkspace } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readJson } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";
import { AppError } from "~/domain/errors";

// POST /api/dunning/sequences (DunningDog createDunningSequence)
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") throw new AppError("method_not_allowed", "Use POST to create a sequence.");
  const caller = await authenticateCounted(request, "dunningdog");
  requireScope(caller, "write");
  const input = await readJson(request, CreateSequenceSchema);
  requireWorkspace(caller, input.workspaceId);
  return json(sequenceDto(await createSequence(input)), 201);
});
