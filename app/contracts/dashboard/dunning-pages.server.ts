import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { previewSequenceStep, sendTestEmail, testEmailRecipient } from "~/domain/dunning/preview.server";
import { deleteSequence, getSequence, listSequences, saveSequenceDraft, type SequenceDraft } from "~/domain/campaigns/sequences.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { readJson } from "~/http/body.server";
import { can, refusalMessage } from "~/domain/access/roles";
import { actionFailure, requirePermission, type Actor } from "~/contracts/dashboard/dashboard-session.server";
import { AppError } from "~/domain/errors";

// The dunning pages (the sequence list, the editor with its preview and test email), server side,
// for every home of the merchant UI: each home says who a request is (dashboard cookie, Shopify
// session token) and where its pages live ("/dashboard", "/app").

/**
 * Who is asking: the workspace, the Recoup user when there is one (a Shopify staff member has none),
 * and the role that says whether they may change sequences (docs/decisions/0010-team-roles.md).
 */
export interface DunningCaller extends Actor {
  workspaceId: string;
  userId: string | null;
}
/** requireDashboardSession on /dashboard, requireShopifyStaff on /app. */
type CallerOf = (request: Request) => Promise<DunningCaller>;

export function dunningListLoader(callerOf: CallerOf, basePath: string) {
  return async ({ request }: LoaderFunctionArgs) => {
    const { workspaceId } = await callerOf(request);
    const [sequences, workspace] = await Promise.all([listSequences(workspaceId), getWorkspace(workspaceId)]);
    return { sequences, timeZone: workspace.timezone, basePath };
  };
}

export type DunningListLoader = ReturnType<typeof dunningListLoader>;

function draftOf(sequence: Awaited<ReturnType<typeof getSequence>>): SequenceDraft {
  return {
    name: sequence.name,
    isEnabled: sequence.isEnabled,
    steps: sequence.steps.map((s) => ({ id: s.id, delayHours: s.delayHours, subjectTemplate: s.subjectTemplate, bodyTemplate: s.bodyTemplate })),
  };
}

async function openSequence(workspaceId: string, sequenceId: string) {
  if (sequenceId === "new") {
    // A new sequence starts as a copy of the default one, switched off until the merchant says so.
    const draft: SequenceDraft = { name: "New sequence", isEnabled: false, steps: DEFAULT_SEQUENCE.steps.map((s) => ({ ...s })) };
    return { sequence: null, draft };
  }
  try {
    const sequence = await getSequence({ workspaceId, sequenceId });
    return { sequence: { id: sequence.id, isActive: sequence.isActive }, draft: draftOf(sequence) };
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") throw data(error.message, { status: 404 });
    throw error;
  }
}

export function dunningEditorLoader(callerOf: CallerOf, basePath: string) {
  return async ({ request, params }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const [opened, testEmail] = await Promise.all([
      openSequence(caller.workspaceId, params.id ?? ""),
      testEmailRecipient({ workspaceId: caller.workspaceId, userId: caller.userId }),
    ]);
    // A member sees the editor with its changes switched off, and why, rather than a form that fails.
    const readOnly = can(caller.role, "manage_dunning") ? null : refusalMessage("manage_dunning", caller.ownerLabel);
    return { ...opened, testEmail, readOnly, basePath };
  };
}

export type DunningEditorLoader = ReturnType<typeof dunningEditorLoader>;

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), draft: z.record(z.string(), z.unknown()) }),
  z.object({ intent: z.literal("test-email"), subjectTemplate: z.string(), bodyTemplate: z.string() }),
  z.object({ intent: z.literal("delete") }),
]);

function deletedToast(deleted: { name: string; handedOver: number; continuesWith: string | null }) {
  const name = `\u201c${deleted.name}\u201d deleted.`;
  if (!deleted.handedOver || !deleted.continuesWith) return name;
  const who = deleted.handedOver === 1 ? "1 open recovery continues" : `${deleted.handedOver} open recoveries continue`;
  return `${name} ${who} with \u201c${deleted.continuesWith}\u201d.`;
}

export function dunningEditorAction(callerOf: CallerOf) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      // Twenty steps of long emails fit; the default 256 KiB might not.
      const body = await readJson(request, ActionSchema, 1024 * 1024);
      requirePermission(caller, "manage_dunning");
      if (body.intent === "test-email") {
        const sent = await sendTestEmail({ workspaceId: caller.workspaceId, userId: caller.userId, subjectTemplate: body.subjectTemplate, bodyTemplate: body.bodyTemplate });
        const toast = sent.transport === "smtp" ? `Sent to ${sent.to}` : `Email isn't set up on this server (SMTP_URL), so nothing was sent to ${sent.to}.`;
        return { ok: true as const, intent: "test-email" as const, toast };
      }
      const sequenceId = params.id === "new" ? null : (params.id ?? null);
      if (body.intent === "delete") {
        if (!sequenceId) throw new AppError("not_found", "This sequence hasn't been created, so there is nothing to delete.");
        const deleted = await deleteSequence({ workspaceId: caller.workspaceId, sequenceId });
        return { ok: true as const, intent: "delete" as const, toast: deletedToast(deleted) };
      }
      const sequence = await saveSequenceDraft({ workspaceId: caller.workspaceId, sequenceId, draft: body.draft as SequenceDraft });
      return {
        ok: true as const,
        intent: "save" as const,
        toast: sequenceId ? "Sequence saved" : "Sequence created",
        sequence: { id: sequence.id, isActive: sequence.isActive },
        draft: draftOf(sequence),
      };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type DunningEditorAction = ReturnType<typeof dunningEditorAction>;

const PreviewSchema = z.object({ subjectTemplate: z.string(), bodyTemplate: z.string() });

/**
 * POST <base>/dunning/preview: the editor's live preview of one step, rendered with sample data.
 * A POST because a template can be longer than a URL may be; nothing is written.
 */
export function dunningPreviewAction(callerOf: CallerOf) {
  return async ({ request }: ActionFunctionArgs) => {
    const { workspaceId } = await callerOf(request);
    try {
      const templates = await readJson(request, PreviewSchema);
      return { ok: true as const, preview: await previewSequenceStep({ workspaceId, ...templates }) };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type DunningPreviewAction = ReturnType<typeof dunningPreviewAction>;
