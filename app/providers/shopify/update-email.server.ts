// "Ask for a new card" on Shopify: Shopify's own email (customerPaymentMethodSendUpdateEmail), sent
// from the shop, with a secure link to its hosted page (docs/decisions/0007). Each request is a
// DunningMessage row (kind card_update_request, transport "shopify"): the policy's "once per card"
// and the timeline read it like any email, and the row is the outbox of the shopify-update-email job.
import { randomBytes } from "node:crypto";
import { merchantName, requestCustomerAction } from "~/domain/dunning/messages.server";
import { escapeHtml } from "~/utils/html";
import { needsAuthentication } from "~/domain/recovery/customer-page.server";
import { AppError } from "~/domain/errors";
import {
  enqueueSend,
  SCHEDULED_ON_INSERT,
  sendNow,
  sendStoredMessage,
  type Refused,
  type Sent,
  type SendOutcome,
} from "~/domain/messages/lifecycle.server";
import { sendPaymentMethodUpdateEmail } from "~/integrations/shopify/admin.server";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import type { Recovery } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import type { PlatformEmailSent } from "~/domain/recovery/provider";

const SHOPIFY_TRANSPORT = "shopify";
const CUSTOMER_PAGE_WINDOW_MS = 10 * 60_000;

function describe(recovery: Pick<Recovery, "externalAccountId" | "cardLast4">, toEmail: string | null) {
  const card = recovery.cardLast4 ? `the card ending ${recovery.cardLast4}` : "their payment method";
  const text = `Shopify was asked to email ${toEmail ?? "the customer"}, from ${recovery.externalAccountId}, a secure link to update ${card}.`;
  return { subject: "Payment method update email (sent by Shopify)", bodyText: text, bodyHtml: `<p>${escapeHtml(text)}</p>` };
}

async function insertRequest(
  client: Tx,
  recovery: Recovery,
  dedupeKey: string,
  initial: { status: "scheduled" | "sending"; attempts: number },
) {
  const customer = recovery.customerId ? await client.customer.findUnique({ where: { id: recovery.customerId } }) : null;
  const toEmail = customer?.email?.trim() || null;
  const { count } = await client.dunningMessage.createMany({
    data: [
      {
        workspaceId: recovery.workspaceId,
        recoveryId: recovery.id,
        kind: "card_update_request",
        dedupeKey,
        toEmail,
        ...describe(recovery, toEmail),
        ...initial,
        transport: SHOPIFY_TRANSPORT,
        scheduledFor: now(),
        trackingId: randomBytes(16).toString("base64url"),
      },
    ],
    skipDuplicates: true,
  });
  const message = await client.dunningMessage.findUniqueOrThrow({
    where: { recoveryId_dedupeKey: { recoveryId: recovery.id, dedupeKey } },
  });
  return { message, created: count === 1 };
}

/**
 * Whether a card-update request for this recovery is Shopify's email rather than ours: a Shopify
 * recovery with a vaulted payment method (docs/decisions/0007), except while the customer only has
 * to confirm a challenged payment: Shopify's email cannot do that, our /recover page leads to the
 * confirmation. The one rule: the engine's planned emails and the merchant's "Send update link now"
 * both ask here.
 */
export function shopifyEmailsCardUpdates(
  recovery: Parameters<typeof needsAuthentication>[0] & Pick<Recovery, "cardFingerprint" | "hostedInvoiceUrl">,
): boolean {
  if (recovery.provider !== "shopify" || !recovery.cardFingerprint) return false;
  return !(recovery.hostedInvoiceUrl && needsAuthentication(recovery));
}

/** Inside the engine's transaction: one Shopify update email per dedupeKey (per card), sent by a job. */
export async function requestShopifyUpdateEmail(input: { tx: Tx; recovery: Recovery; dedupeKey: string }) {
  const { message, created } = await insertRequest(input.tx, input.recovery, input.dedupeKey, SCHEDULED_ON_INSERT);
  if (created) await enqueueSend(input.tx, queues.shopifyUpdateEmail, message.id);
  return { messageId: message.id, created };
}

/** Shopify's answer to the call-out: it sent its email, or said why not (userErrors: a revoked method, no email on file). */
function shopifyAnswer(result: { sent: boolean; errors: string[] }): Sent<typeof SHOPIFY_TRANSPORT> | Refused {
  if (result.sent) return { sent: true, transport: SHOPIFY_TRANSPORT };
  return { sent: false, errors: result.errors.length ? result.errors : ["Shopify did not send the email."] };
}

function askShopify(recovery: Recovery): Promise<{ sent: boolean; errors: string[] }> {
  return sendPaymentMethodUpdateEmail(recovery.externalAccountId!, recovery.cardFingerprint!);
}

/** Shopify refused: our own card-update email, with the /recover link, goes instead (once per refused request). */
async function sendOursInstead(recoveryId: string, dedupeKey: string, errors: string[]) {
  log.warn("Shopify refused the payment method update email; sending ours", { recoveryId, errors });
  return requestCustomerAction({ recoveryId, kind: "card_update_request", dedupeKey: `${dedupeKey}:recoup` });
}

export type ShopifyEmailOutcome = { outcome: "sent" } | SendOutcome<Refused>;

/**
 * The shopify-update-email job, through the one message lifecycle (app/domain/messages/lifecycle.server.ts):
 * claimed before Shopify is called and `sent` after, as for our own emails (ADR 0058: at most once).
 * Shopify's userErrors are an answer: the message is marked failed and our own card-update email goes instead.
 */
export async function sendShopifyUpdateEmail(input: { messageId: string; lastAttempt?: boolean }): Promise<ShopifyEmailOutcome> {
  const message = await db().dunningMessage.findUnique({ where: { id: input.messageId }, include: { recovery: true } });
  const outcome = await sendStoredMessage({
    message,
    lastAttempt: input.lastAttempt,
    skip: ({ recovery }) =>
      recovery.status !== "pending" ? "recovery closed" : recovery.paused ? "recovery paused" : !recovery.cardFingerprint ? "no payment method" : null,
    callOut: async ({ recovery }) => shopifyAnswer(await askShopify(recovery)),
  });
  if (outcome.outcome === "refused" && message) await sendOursInstead(message.recoveryId, message.dedupeKey, outcome.errors);
  return outcome.outcome === "sent" ? { outcome: "sent" } : outcome;
}

/**
 * The customer page's button for a Shopify recovery: Shopify emails the update link now. Pressing
 * again within ten minutes sends nothing more (the row for the window is the guard).
 */
export async function emailUpdateLinkFromShopify(recoveryId: string): Promise<{ merchant: string; alreadySent: boolean }> {
  const recovery = await db().recovery.findUniqueOrThrow({ where: { id: recoveryId }, include: { workspace: true } });
  const merchant = merchantName(recovery.workspace);
  const bucket = Math.floor(now().getTime() / CUSTOMER_PAGE_WINDOW_MS);
  // The page's error names Shopify's own userErrors ("no reason given" when there are none).
  let shopifyErrors: string[] = [];
  // Shopify unreachable: nothing was sent, the row goes and the customer may press again at once.
  const sent = await sendNow({
    insert: (tx, claimed) => insertRequest(tx, recovery, `customer-page:${bucket}`, claimed),
    callOut: async () => {
      const result = await askShopify(recovery);
      shopifyErrors = result.errors;
      return shopifyAnswer(result);
    },
  });
  if (sent.outcome === "duplicate") return { merchant, alreadySent: true };
  if (sent.outcome === "refused") throw new ShopifyRefusedError(shopifyErrors);
  return { merchant, alreadySent: false };
}

/**
 * The merchant's "Send update link now" for a Shopify recovery: Shopify emails its secure link at
 * once, so the merchant hears what really happened. The row (unique per recovery and dedupeKey, the
 * hour's bucket) is taken before Shopify is called: a second press or a retried request finds it
 * and sends nothing. Shopify unreachable: the row goes, so the merchant may press again. Shopify
 * refusing (userErrors): the row says why and our own card-update email with the /recover link goes.
 */
export async function sendUpdateEmailFromShopifyNow(input: { recoveryId: string; dedupeKey: string }): Promise<PlatformEmailSent> {
  const recovery = await db().recovery.findUniqueOrThrow({ where: { id: input.recoveryId } });
  const sent = await sendNow({
    insert: (tx, claimed) => insertRequest(tx, recovery, input.dedupeKey, claimed),
    callOut: async () => {
      try {
        return shopifyAnswer(await askShopify(recovery));
      } catch (error) {
        log.warn("Shopify did not answer the payment method update email request", { recoveryId: recovery.id, error: (error as Error).message });
        throw new AppError("upstream_error", "Shopify didn't answer just now, so no update link was sent. Please try again in a minute.");
      }
    },
  });
  const { message } = sent;
  if (sent.outcome === "duplicate") return { outcome: "duplicate", messageId: message.id, at: message.sentAt ?? message.scheduledFor };
  if (sent.outcome === "sent") return { outcome: "sent", messageId: message.id, toEmail: message.toEmail, at: message.scheduledFor };
  const ours = await sendOursInstead(recovery.id, input.dedupeKey, sent.errors);
  return { outcome: "refused", errors: sent.errors, fallbackMessageId: ours?.messageId ?? null };
}

export class ShopifyRefusedError extends Error {
  constructor(readonly errors: string[]) {
    super(`Shopify refused to send the payment method update email: ${errors.join("; ") || "no reason given"}`);
    this.name = "ShopifyRefusedError";
  }
}
