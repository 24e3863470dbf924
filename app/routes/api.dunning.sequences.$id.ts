import type { ActionFunctionArgs } from "@remix-run/node";
import { sequenceDto, updateSequence, UpdateSequenceSchema } from "~/domain/campaigns/sequences.server";
import { requireScope } from "~/http/auth.server";
import { authenticateCounted } from "~/http/rate-limit.server";
import { readJson } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";
import { AppError } from "~/domain/errors";

// PATCH /api/dunning/sequences/{id} (DunningDog updateDunningSequence). Another workspace's id is 404, not 403.
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "PATCH") throw new AppError("method_not_allowed", "Use PATCH to update a sequence.");
  const caller = await authenticateCounted(request, "dunningdog");
  requireScope(caller, "write");
  const patch = await readJson(request, UpdateSequenceSchema);
  const sequence = await updateSequence({ workspaceId: caller.workspaceId, sequenceId: params.id!, patch });
  return json(sequenceDto(sequence));
});
