import { DateTime } from "luxon";
import { nextEmailAllowedAt, requestCustomerAction } from "~/domain/dunning/messages.server";
import { EMAIL_SPACING_HOURS } from "~/domain/recovery/email-plan";
import { AppError } from "~/domain/errors";
import { isSuppressed } from "~/domain/deliverability/suppressions.server";
import { assertOpen } from "~/domain/recovery/engine.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { cardUpdateChannel } from "./channel.server";
import { providerFor } from "~/domain/recovery/providers.server";

const HOUR_MS = 3600_000;
/** Every manual send's dedupeKey starts so; the rest is the hour bucket. */
const MANUAL_KEY_PREFIX = "manual:";

/** `at` in the workspace's time zone (UTC when it names none Luxon knows). */
function localTime(at: Date, timezone: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  return local.isValid ? local : DateTime.fromJSDate(at, { zone: "UTC" });
}

function clockTime(at: Date, timezone: string): string {
  return localTime(at, timezone).toFormat("HH:mm");
}

/**
 * One manual email per recovery per hour, whoever sends it (the dashboard's "Send update link now",
 * `POST /api/v1/recoveries/{id}/dunning`): the dedupeKey is the hour bucket, and a send in the last
 * 60 minutes (even in the previous bucket) is refused with its time. `alreadySent` words that
 * refusal for a send that loses the race for the same bucket.
 */
export async function manualSendSlot(input: { recoveryId: string; timezone: string; sentLabel: string }) {
  const at = now();
  const alreadySent = (sentAt: Date) =>
    new AppError("conflict", `${input.sentLabel} at ${clockTime(sentAt, input.timezone)}. You can send another one an hour after that.`, {
      sentAt: sentAt.toISOString(),
    });
  // scheduledFor, not createdAt: it is stamped on the engine's clock, as `at` is.
  const recent = await db().dunningMessage.findFirst({
    where: { recoveryId: input.recoveryId, dedupeKey: { startsWith: MANUAL_KEY_PREFIX }, scheduledFor: { gt: new Date(at.getTime() - HOUR_MS) } },
    orderBy: { scheduledFor: "desc" },
  });
  if (recent) throw alreadySent(recent.sentAt ?? recent.scheduledFor);
  return { dedupeKey: `${MANUAL_KEY_PREFIX}${Math.floor(at.getTime() / HOUR_MS)}`, alreadySent };
}

export type UpdateLinkSent = {
  messageId: string;
  toEmail: string;
  queuedAt: string;
  /** Who emails the customer: Shopify (its own secure page), or Recoup (the /recover page). */
  via: "shopify" | "recoup";
  /** Shopify refused to send its email, so ours went instead: why. */
  shopifyRefused?: string;
};

/**
 * "Send update link now" from the dashboard: an email with the update-payment link, at once and
 * outside the sequence. For a Shopify recovery that the engine would ask Shopify to email, Shopify
 * sends its own (docs/decisions/0007); otherwise ours, with the /recover link. One per recovery per
 * hour, whoever sends it (manualSendSlot).
 */
export async function sendUpdateLinkNow(input: { workspaceId: string; recoveryId: string }): Promise<UpdateLinkSent> {
  const recovery = await db().recovery.findFirst({
    where: { id: input.recoveryId, workspaceId: input.workspaceId },
    include: { customer: true, workspace: { select: { timezone: true } } },
  });
  if (!recovery) throw new AppError("recovery_not_found", "No such recovery in this workspace.");
  assertOpen(recovery, "This recovery is already closed, so no update link was sent.");
  if (recovery.paused) throw new AppError("conflict", "This recovery is paused. Resume it first, then send the update link.");
  if (!recovery.customer?.email?.trim()) {
    throw new AppError("conflict", "This customer has no email address on file, so the update link can't be emailed.");
  }

  const { dedupeKey, alreadySent } = await manualSendSlot({ recoveryId: recovery.id, timezone: recovery.workspace.timezone, sentLabel: "Already sent" });
  // The merchant's press is not the customer's request: it waits for the spacing like any email.
  const toEmail = recovery.customer.email.trim();
  // A hard bounce, a complaint or an unsubscribe stops every email to the address (ADR 0071): say so now, not after a skipped send.
  const suppressed = await isSuppressed(recovery.workspaceId, toEmail);
  if (suppressed) {
    throw new AppError("conflict", `${toEmail} is suppressed (${suppressed.reason.replace("_", " ")}), so Recoup sends it no email. Lift the suppression first if the customer asked for mail again.`, {
      suppression_reason: suppressed.reason,
    });
  }
  const allowed = await nextEmailAllowedAt(db(), { workspaceId: recovery.workspaceId, toEmail });
  if (allowed.last && allowed.at.getTime() > now().getTime()) {
    // A press racing this one took this hour's slot first: that email is this press's, already sent.
    const raced = await db().dunningMessage.findUnique({ where: { recoveryId_dedupeKey: { recoveryId: recovery.id, dedupeKey } } });
    if (raced) throw alreadySent(raced.sentAt ?? raced.scheduledFor);
    const when = (at: Date) => localTime(at, recovery.workspace.timezone).setLocale("en").toFormat("ccc d LLL, HH:mm");
    throw new AppError(
      "conflict",
      `The customer got an email (“${allowed.last.subject}”) at ${when(allowed.last.at)}. Recoup sends one customer at most one email every ${EMAIL_SPACING_HOURS} hours, so the update link can go from ${when(allowed.at)}.`,
      { lastEmailAt: allowed.last.at.toISOString(), nextAllowedAt: allowed.at.toISOString() },
    );
  }
  let shopifyRefused: string | undefined;
  const platformEmail = providerFor(recovery.provider).platformEmail;
  if (platformEmail && cardUpdateChannel(recovery) === "platform_email") {
    // The provider's own email (Shopify's): the answer names it `via: "shopify"`, the one provider that sends one.
    const shopify = await platformEmail.sendNow({ recoveryId: recovery.id, dedupeKey });
    if (shopify.outcome === "duplicate") throw alreadySent(shopify.at);
    if (shopify.outcome === "sent") return { messageId: shopify.messageId, toEmail: shopify.toEmail ?? toEmail, queuedAt: shopify.at.toISOString(), via: "shopify" };
    shopifyRefused = shopify.errors.join("; ");
    if (!shopify.fallbackMessageId) throw new AppError("recovery_closed", "This recovery was closed or paused just now, so no update link was sent.");
    const fallback = await db().dunningMessage.findUniqueOrThrow({ where: { id: shopify.fallbackMessageId } });
    return { messageId: fallback.id, toEmail: fallback.toEmail ?? toEmail, queuedAt: fallback.scheduledFor.toISOString(), via: "recoup", shopifyRefused };
  }

  const result = await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey });
  // Closed or paused between the checks above and the insert.
  if (!result) throw new AppError("recovery_closed", "This recovery was closed or paused just now, so no update link was sent.");
  const message = await db().dunningMessage.findUniqueOrThrow({ where: { id: result.messageId } });
  // Two presses racing for the same hour: the loser hears about the winner's email.
  if (!result.created) throw alreadySent(message.sentAt ?? message.scheduledFor);
  return { messageId: message.id, toEmail: message.toEmail!, queuedAt: message.scheduledFor.toISOString(), via: "recoup" };
}
