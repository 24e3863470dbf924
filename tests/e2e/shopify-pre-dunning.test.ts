// Pre-dunning on Shopify (ADR 0074): a subscription contract's card and its expiry are read from
// Shopify's Admin API when the contract is created or updated (only while an expiry campaign is
// active), the customer is emailed before the card expires, and the email's link asks Shopify to
// send its own secure update link for that card.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// Shopify's library captures fetch when imported: the fake must be listening before any app module loads.
const admin = await vi.hoisted(async () => {
  const { startShopifyAdmin } = await import("../fakes/shopify-admin");
  return startShopifyAdmin();
});

import { createFromTemplate, transition } from "~/domain/campaigns/campaigns.server";
import * as cardPage from "~/routes/card.$token";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../jobs/queues";
import { runDueJobs } from "../helpers/jobs";
import { configureShopify, installShop, postShopifyWebhook } from "../helpers/shopify";
import { useFakeSmtp } from "../helpers/smtp";

const smtp = useFakeSmtp();
const UPDATE_EMAIL = "customerPaymentMethodSendUpdateEmail";

beforeAll(() => configureShopify());
beforeEach(() => admin.reset());
afterAll(() => admin.close());

const mailsTo = (address: string) => smtp.messages.filter((m) => (m.to as { text: string }).text.includes(address));

describe("pre-dunning on Shopify", () => {
  it("reads a new contract's card only while an expiry campaign is active, emails before it expires, and its link has Shopify send its update email", async () => {
    testClock.set(new Date("2026-11-10T09:00:00Z"));
    const shop = "pre-dunning.myshopify.com";
    const ws = await installShop(shop, { name: "Fjord Tea" });
    const expiring = admin.putContract(shop, {
      id: "gid://shopify/SubscriptionContract/901",
      customer: { id: "gid://shopify/Customer/9001", firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
      paymentMethod: { id: "gid://shopify/CustomerPaymentMethod/pm_exp", brand: "visa", lastDigits: "1111", expiryMonth: 12, expiryYear: 2026 },
    });

    // No expiry campaign yet: the contract is not read for its card.
    await postShopifyWebhook("subscription_contracts/create", shop, admin.contractWebhook(shop, expiring.id));
    await runDueJobs();
    expect(admin.requests.filter((r) => r.fields.includes("subscriptionContract"))).toHaveLength(0);
    expect(await db().cardExpiry.count({ where: { workspaceId: ws.workspace.id } })).toBe(0);

    const campaign = await createFromTemplate({ workspaceId: ws.workspace.id, templateId: "tmpl_pre_dunning" });
    await transition({ workspaceId: ws.workspace.id, id: campaign.id, command: "activate" });
    const far = admin.putContract(shop, {
      id: "gid://shopify/SubscriptionContract/902",
      customer: { id: "gid://shopify/Customer/9002", firstName: "Bo", lastName: null, email: "bo@example.com" },
      paymentMethod: { id: "gid://shopify/CustomerPaymentMethod/pm_far", brand: "visa", lastDigits: "2222", expiryMonth: 3, expiryYear: 2029 },
    });
    await postShopifyWebhook("subscription_contracts/update", shop, admin.contractWebhook(shop, expiring.id));
    await postShopifyWebhook("subscription_contracts/create", shop, admin.contractWebhook(shop, far.id));
    await runDueJobs();
    expect(await db().cardExpiry.findMany({ where: { workspaceId: ws.workspace.id }, orderBy: { expYear: "asc" }, select: { provider: true, expMonth: true, expYear: true, email: true, last4: true } })).toEqual([
      { provider: "shopify", expMonth: 12, expYear: 2026, email: "ada@example.com", last4: "1111" },
      { provider: "shopify", expMonth: 3, expYear: 2029, email: "bo@example.com", last4: "2222" },
    ]);

    await enqueue(queues.preDunningSweep, {}, { key: "shopify-sweep-1" });
    await runDueJobs();
    const mails = mailsTo("ada@example.com");
    expect(mails.map((m) => m.subject)).toEqual(["Your card for Fjord Tea expires soon"]);
    expect(mailsTo("bo@example.com")).toHaveLength(0);

    // The link: Shopify emails its secure update link for that very card; the page says so.
    const token = mails[0]!.text!.match(/\/card\/([\w.-]+)/)![1]!;
    const pressed = await cardPage.action({ request: new Request(`http://localhost/card/${token}`, { method: "POST" }), params: { token }, context: {} });
    expect(pressed).toMatchObject({ notice: "We've emailed you a secure link from Fjord Tea to update your card.", problem: null });
    expect(admin.mutations(UPDATE_EMAIL).at(-1)!.variables).toMatchObject({ customerPaymentMethodId: "gid://shopify/CustomerPaymentMethod/pm_exp" });

    // Shopify refuses (a revoked card, say): the page says to contact the business.
    admin.refuseNextUpdateEmail("Customer payment method is revoked");
    const refused = await cardPage.action({ request: new Request(`http://localhost/card/${token}`, { method: "POST" }), params: { token }, context: {} });
    expect(refused).toMatchObject({ notice: null, problem: expect.stringContaining("Customer payment method is revoked") });
  });
});
