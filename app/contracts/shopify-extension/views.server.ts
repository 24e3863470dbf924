import { recoveryAttemptDto } from "~/contracts/dunningdog/dto";
import { findRecoveriesFor } from "~/domain/recovery/timeline.server";
import { workspaceForShop } from "~/domain/workspaces/shops.server";

/**
 * The customer block's list: the customer's open recoveries, in DunningDog's RecoveryAttempt words
 * (what the block reads). A shop without a workspace (never opened the app, or uninstalled) has
 * nothing to show.
 */
export async function getCustomerRecoveries(input: { shop: string; externalCustomerId: string }) {
  const workspaceId = await workspaceForShop(input.shop);
  // Open ones only, filtered in the query: a customer's 20 newest may all be closed.
  const rows = workspaceId ? await findRecoveriesFor({ workspaceId, externalCustomerId: input.externalCustomerId, status: "pending" }) : [];
  return { items: rows.map(recoveryAttemptDto) };
}
