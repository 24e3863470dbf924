import { providerFor } from "~/domain/recovery/providers.server";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { verifyRecoveryToken } from "~/domain/recovery/links.server";

/** The recovery a customer link points at; 404 for unknown, expired or used tokens. */
export async function findRecoveryByToken(token: string) {
  const recoveryId = verifyRecoveryToken(token, now());
  const recovery = recoveryId
    ? await db().recovery.findUnique({ where: { id: recoveryId }, include: { workspace: true, customer: true } })
    : null;
  if (!recovery || recovery.linkUsedAt) {
    throw new AppError("token_not_found", "This link is unknown, has expired, or was already used.");
  }
  return recovery;
}

async function openRecoveryByToken(token: string) {
  const recovery = await findRecoveryByToken(token);
  if (recovery.status !== "pending") {
    throw new AppError("recovery_closed", recovery.status === "recovered" ? "This payment has already been made. Thank you!" : "This payment request is closed.");
  }
  return recovery;
}

/**
 * The customer page's button: the recovery's provider says where it leads (Stripe: its portal
 * session; Shopify: it emails its secure update link, and the page says so; an ingested PSP: its
 * payment page, else the merchant).
 */
export async function startPaymentUpdate(input: { recoveryToken: string }): Promise<{ redirectTo: string } | { notice: string }> {
  const recovery = await openRecoveryByToken(input.recoveryToken);
  return providerFor(recovery.provider).startCardUpdate(recovery);
}

/** DunningDog's update-payment session, from the recovery's provider. */
export async function createUpdatePaymentSession(input: { recoveryToken: string }) {
  const recovery = await openRecoveryByToken(input.recoveryToken);
  return providerFor(recovery.provider).cardUpdateSession(recovery);
}
