// A Shopify recovery's references in the merchant's words (pure). Shopify recoveries keep Shopify's
// ids in the neutral external* columns (docs/decisions/0007): here they become "subscription
// contract #7001, billing attempt #1" and links into the Shopify admin.
import type { PlatformReferences, ReferencedRecovery } from "~/domain/recovery/provider";

/** A Shopify id's number: `gid://shopify/Customer/42` (or 42) → "42". */
export const numericId = (gidOrId: string | number) => String(gidOrId).split("/").pop()!;

/** The debt's key, `shopify:<contract>:<billing attempt>` (the first failed billing attempt of the cycle). */
export function shopifyDebtId(contractGid: string, billingAttemptGid: string): string {
  return `shopify:${numericId(contractGid)}:${numericId(billingAttemptGid)}`;
}

/** The parts of shopifyDebtId's key. */
export function parseShopifyDebt(invoiceId: string): { contractId: string; billingAttemptId: string } | null {
  const match = /^shopify:(\d+):(\d+)$/.exec(invoiceId);
  return match ? { contractId: match[1]!, billingAttemptId: match[2]! } : null;
}

/** A page of the shop's admin; `https://<shop>/admin/…` redirects to admin.shopify.com for the signed-in staff member. */
function shopifyAdminUrl(shopDomain: string, path: string): string | null {
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(shopDomain)) return null;
  return `https://${shopDomain}/admin/${path}`;
}

export function shopifyReferences(r: ReferencedRecovery): PlatformReferences {
  const debt = parseShopifyDebt(r.externalId);
  const customerId = numericId(r.externalCustomerId);
  const customerUrl = r.externalAccountId && /^\d+$/.test(customerId) ? shopifyAdminUrl(r.externalAccountId, `customers/${customerId}`) : null;
  const text = debt ? `Contract #${debt.contractId}, billing attempt #${debt.billingAttemptId}` : r.externalId;
  return {
    name: "Shopify",
    // The contract's page belongs to whichever subscription app owns it; the customer's admin page
    // lists their subscriptions and links to it.
    debt: { label: "Subscription", text, url: customerUrl, urlText: customerUrl ? "See it on the customer's page in Shopify" : null },
    subtitle: debt ? `Shopify subscription contract #${debt.contractId} · billing attempt #${debt.billingAttemptId}` : `Shopify ${r.externalId}`,
    // One link is enough: the subscription's, above.
    customer: { text: /^\d+$/.test(customerId) ? `Shopify customer #${customerId}` : r.externalCustomerId, url: null },
  };
}
