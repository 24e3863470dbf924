// How a customer is asked for a new card: Recoup's email with the /recover link, or the platform's
// own update email (Shopify's, from the shop, to its secure page: docs/decisions/0007). One choice,
// asked by the engine's planned requests and by the merchant's "Send update link now" alike.
import { requestCustomerAction } from "~/domain/dunning/messages.server";
import type { RecoveryListener } from "~/domain/recovery/listeners";
import type { CardUpdateChannel } from "~/domain/recovery/provider";
import { providerFor } from "~/domain/recovery/providers.server";
import type { Recovery } from "../../../generated/prisma/client";

/** Who emails this recovery's customer for a new card: its payment provider says (Shopify's rule: a vaulted card, not a challenged payment). */
export function cardUpdateChannel(recovery: Recovery): CardUpdateChannel {
  return providerFor(recovery.provider).cardUpdate(recovery);
}

/** The engine's customer-action requests, sent through the channel: one email per card either way. */
export const customerActionListener: RecoveryListener = {
  async customerActionNeeded(tx, recovery: Recovery, { kind, dedupeKey, read }) {
    const platformEmail = providerFor(recovery.provider).platformEmail;
    if (kind === "card_update_request" && platformEmail && cardUpdateChannel(recovery) === "platform_email") {
      await platformEmail.request({ tx, recovery, dedupeKey });
    } else {
      await requestCustomerAction({ tx, recoveryId: recovery.id, recovery, kind, dedupeKey, read });
    }
  },
};
