import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { previewSequenceStep } from "~/domain/dunning/preview.server";
import { readJson } from "~/http/body.server";
import { actionFailure, requireDashboardSession } from "~/http/dashboard-session.server";

// POST /dashboard/dunning/preview: the editor's live preview of one step, rendered with sample
// data. A POST because a template can be longer than a URL may be; nothing is written.

const BodySchema = z.object({ subjectTemplate: z.string(), bodyTemplate: z.string() });

export async function action({ request }: ActionFunctionArgs) {
  const { workspaceId } = await requireDashboardSession(request);
  try {
    const templates = await readJson(request, BodySchema);
    return { ok: true as const, preview: await previewSequenceStep({ workspaceId, ...templates }) };
  } catch (error) {
    return actionFailure(error);
  }
}

export const loader = () => new Response("Not found", { status: 404 });
