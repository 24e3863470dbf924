import { describe, expect, it } from "vitest";
import { providerFor } from "~/domain/recovery/providers.server";
import type { ReferencedRecovery } from "~/domain/recovery/provider";
import { parseShopifyDebt, shopifyDebtId } from "./references";

// Through the port, as the engine's read models ask for them.
const platformReferences = (r: ReferencedRecovery) => providerFor(r.provider).references(r);

const shopify = {
  provider: "shopify",
  externalAccountId: "story-coffee.myshopify.com",
  externalId: "shopify:7001:123",
  externalCustomerId: "gid://shopify/Customer/42",
  hostedInvoiceUrl: "https://story-coffee.myshopify.com/confirm/123",
};

describe("a recovery's platform references in the merchant's words", () => {
  it("a Stripe recovery keeps its invoice, linked to the hosted invoice", () => {
    const refs = platformReferences({ provider: "stripe", externalAccountId: "acct_1", externalId: "in_9", externalCustomerId: "cus_1", hostedInvoiceUrl: "https://invoice.stripe.com/i/x" });
    expect(refs).toEqual({
      name: "Stripe",
      subtitle: "Invoice in_9",
      debt: { label: "Invoice", text: "in_9", url: "https://invoice.stripe.com/i/x", urlText: "in_9" },
      customer: { text: "cus_1", url: null },
    });
  });

  it("a Shopify recovery names the contract and billing attempt, never the raw shopify:… id or the customer's confirmation page", () => {
    const refs = platformReferences(shopify);
    expect(refs.name).toBe("Shopify");
    expect(refs.subtitle).toBe("Shopify subscription contract #7001 · billing attempt #123");
    expect(refs.debt).toMatchObject({ text: "Contract #7001, billing attempt #123", url: "https://story-coffee.myshopify.com/admin/customers/42" });
    expect(JSON.stringify(refs)).not.toContain("shopify:7001");
    expect(JSON.stringify(refs)).not.toContain("/confirm/");
    expect(refs.customer.text).toBe("Shopify customer #42");
  });

  it("links nowhere for anything that is not a myshopify.com shop, and shows an unexpected id as it is", () => {
    expect(platformReferences({ ...shopify, externalAccountId: "evil.example.com/x" }).debt.url).toBeNull();
    expect(platformReferences({ ...shopify, externalId: "shopify:legacy" })).toMatchObject({ subtitle: "Shopify shopify:legacy", debt: { text: "shopify:legacy" } });
    expect(parseShopifyDebt("shopify:1:2")).toEqual({ contractId: "1", billingAttemptId: "2" });
    expect(parseShopifyDebt("in_123")).toBeNull();
  });

  it("a Shopify debt's key is built from the contract and billing attempt GIDs and read back by parseShopifyDebt", () => {
    const key = shopifyDebtId("gid://shopify/SubscriptionContract/7001", "gid://shopify/SubscriptionBillingAttempt/123");
    expect(key).toBe("shopify:7001:123");
    expect(parseShopifyDebt(key)).toEqual({ contractId: "7001", billingAttemptId: "123" });
  });
});
