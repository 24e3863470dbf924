import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { RECOVERY_INTENTS, RECOVERY_NOT_FOUND as NOT_FOUND } from "./pages";
import { formatDate } from "./format";
import { findDeclineCode } from "~/domain/recovery/decline-codes";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { pauseRecovery, resumeRecovery, retryNow } from "~/domain/recovery/engine.server";
import { sendUpdateLinkNow } from "~/domain/card-update/manual-send.server";
import { getRecoveryTimeline } from "~/domain/recovery/timeline.server";
import { recoveryTimelineDto } from "~/contracts/dunningdog/dto";
import { readForm } from "~/http/body.server";
import { statusOf } from "~/http/errors";
import { log } from "~/utils/logger.server";
import { AppError } from "~/domain/errors";

// A recovery's page, server side, for every home of the merchant UI: each home says how a request
// maps to a workspace (dashboard cookie, Shopify session token) and where its overview lives.

type WorkspaceOf = (request: Request) => Promise<string>;

function notFoundAs404<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error) => {
    if (error instanceof AppError && error.code === "recovery_not_found") throw data(NOT_FOUND, { status: 404 });
    throw error;
  });
}

/** A decline in the merchant's words: the platform's catalogue entry, else what the processor said. */
function declineInWords(provider: "stripe" | "shopify", code: string | null, message: string | null): string | null {
  return findDeclineCode(provider, code)?.description ?? message?.trim() ?? null;
}

/** After Resume: what happens next, when (the workspace's time) and why. */
function resumedInWords(
  resumed: { status: string; nextActionKind: string | null; nextActionAt: Date | null; nextActionReason: string | null; nextEmailAt: Date | null },
  timeZone: string,
): string {
  if (resumed.status !== "pending") return `The recovery's time ran out while it was paused, so it is now closed.${resumed.nextActionReason ? ` ${resumed.nextActionReason}` : ""}`;
  const when = (at: Date) => formatDate(at.toISOString(), timeZone);
  const next =
    resumed.nextActionKind === "retry" && resumed.nextActionAt
      ? ` Next retry: ${when(resumed.nextActionAt)}.`
      : resumed.nextActionAt
        ? ` Next step: ${when(resumed.nextActionAt)}.`
        : "";
  const why = resumed.nextActionReason ? ` ${resumed.nextActionReason}` : "";
  const email = resumed.nextEmailAt ? ` Next reminder email: ${when(resumed.nextEmailAt)}.` : "";
  return `Recovery resumed.${next}${why}${email}`;
}

export function recoveryDetailLoader(workspaceOf: WorkspaceOf, basePath: string) {
  return async ({ request, params }: LoaderFunctionArgs) => {
    const workspaceId = await workspaceOf(request);
    const timeline = recoveryTimelineDto(await notFoundAs404(getRecoveryTimeline({ workspaceId, recoveryId: params.id ?? "" })));
    return {
      ...timeline,
      decline: declineInWords(timeline.provider, timeline.declineCode, null),
      entries: timeline.entries.map((entry) =>
        entry.kind === "failure" ? { ...entry, inWords: declineInWords(timeline.provider, entry.declineCode, entry.message) } : entry,
      ),
      basePath,
    };
  };
}

export type RecoveryDetailData = Awaited<ReturnType<ReturnType<typeof recoveryDetailLoader>>>;

const IntentSchema = z.enum(RECOVERY_INTENTS);
type Intent = z.infer<typeof IntentSchema>;

async function perform(intent: Intent, target: { workspaceId: string; recoveryId: string }): Promise<string> {
  switch (intent) {
    case "retry":
      await retryNow(target);
      return "Retrying now. The result shows up in the timeline within a minute.";
    case "pause":
      await pauseRecovery(target);
      return "Recovery paused. No retries or emails until you resume it.";
    case "resume": {
      const resumed = await resumeRecovery(target);
      return resumedInWords(resumed, (await getWorkspace(target.workspaceId)).timezone);
    }
    case "send_link": {
      const sent = await sendUpdateLinkNow(target);
      if (sent.via === "shopify") return "Shopify emailed the customer a secure link to update their card.";
      if (sent.shopifyRefused) return `Shopify couldn't send its update email (${sent.shopifyRefused}), so Recoup's update link is on its way to ${sent.toEmail}.`;
      return `Update link on its way to ${sent.toEmail}.`;
    }
  }
}

export function recoveryDetailAction(workspaceOf: WorkspaceOf) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const workspaceId = await workspaceOf(request);
    const parsed = IntentSchema.safeParse((await readForm(request)).get("intent"));
    if (!parsed.success) return data({ ok: false as const, error: "That button isn't known here. Reload the page and try again." }, { status: 400 });
    try {
      const message = await notFoundAs404(perform(parsed.data, { workspaceId, recoveryId: params.id ?? "" }));
      return { ok: true as const, message, at: Date.now() };
    } catch (error) {
      // The 404 above, thrown as a response.
      if (!(error instanceof Error)) throw error;
      // Domain errors are written for the merchant; anything else stays in the log.
      if (error instanceof AppError) return data({ ok: false as const, error: error.message }, { status: statusOf(error) });
      log.error("a recovery action failed", { intent: parsed.data, error: error.message });
      return data({ ok: false as const, error: "Something went wrong on our side. Please try again in a minute." }, { status: 500 });
    }
  };
}

/** What the buttons answer, as the page receives it. */
export type RecoveryActionResult = { ok: true; message: string; at: number } | { ok: false; error: string };
