// How a customer is asked for a new card: Recoup's email with the /recover link, or the platform's
// own update email (Shopify's, from the shop, to its secure page: docs/decisions/0007). One choice,
// asked by the engine's planned requests and by the merchant's "Send update link now" alike.
import { requestCustomerAction } from "~/domain/dunning/messages.server";
import type { RecoveryListener } from "~/domain/recovery/listeners";
import { requestShopifyUpdateEmail, shopifyEmailsCardUpdates } from "~/domain/shopify/update-email.server";
import type { Recovery } from "../../../generated/prisma/client";

export type CardUpdateChannel = "recoup_link" | "platform_email";

/**
 * Who emails this recovery's customer for a new card. The rule is Shopify's (a vaulted card, not a
 * challenged payment); it is the place to ask the payment provider once providers say it themselves.
 */
export function cardUpdateChannel(recovery: Parameters<typeof shopifyEmailsCardUpdates>[0]): CardUpdateChannel {
  return shopifyEmailsCardUpdates(recovery) ? "platform_email" : "recoup_link";
}

/** The engine's customer-action requests, sent through the channel: one email per card either way. */
export const customerActionListener: RecoveryListener = {
  async customerActionNeeded(tx, recovery: Recovery, { kind, dedupeKey }) {
    if (kind === "card_update_request" && cardUpdateChannel(recovery) === "platform_email") {
      await requestShopifyUpdateEmail({ tx, recovery, dedupeKey });
    } else {
      await requestCustomerAction({ tx, recoveryId: recovery.id, kind, dedupeKey });
    }
  },
};
