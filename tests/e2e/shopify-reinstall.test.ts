// A shop that uninstalls Recoup and installs it again (docs/decisions/0006, 0019): within the
// 48-hour grace period the recoveries the uninstall paused carry on, and only those; after the
// erasure a reinstall starts from nothing.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// Shopify's library captures fetch when imported: the fake must be listening before any app module loads.
const admin = await vi.hoisted(async () => {
  const { startShopifyAdmin } = await import("../fakes/shopify-admin");
  return startShopifyAdmin();
});

import { pauseRecovery } from "~/domain/recovery/engine.server";
import { loader as appOverview } from "~/routes/app._index";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { configureShopify, installShop, postShopifyWebhook, sessionTokenFor, storeOfflineSession } from "../helpers/shopify";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const BILL = "subscriptionBillingAttemptCreate";

beforeAll(() => configureShopify());
beforeEach(() => {
  admin.reset();
  testClock.set(new Date("2026-11-02T07:00:00Z"));
});
afterEach(() => testClock.reset());
afterAll(() => admin.close());

const BOB = { id: "gid://shopify/Customer/7002", firstName: "Bob", lastName: "Moog", email: "bob@example.com" };

let shops = 0;
/** A shop with two subscriptions whose billing failed for lack of funds: two open recoveries, retries planned. */
async function shopWithTwoFailures() {
  shops += 1;
  const shop = `comeback-${shops}.myshopify.com`;
  const ws = await installShop(shop, { name: `Comeback Tea ${shops}` });
  const first = admin.putContract(shop, { id: `gid://shopify/SubscriptionContract/${900 + shops * 2}` });
  const second = admin.putContract(shop, { id: `gid://shopify/SubscriptionContract/${901 + shops * 2}`, customer: BOB });
  for (const c of [first, second]) {
    await postShopifyWebhook("subscription_billing_attempts/failure", shop, admin.platformAttemptWebhook(shop, c.id, { errorCode: "insufficient_funds" }));
  }
  await runDueJobs();
  return { ...ws, shop, first: first.id, second: second.id };
}

const recoveryOf = (contractId: string) => db().recovery.findFirstOrThrow({ where: { externalSubscriptionId: contractId } });

/** Billing attempts Recoup asked Shopify for, per contract. */
const billed = (shop: string, contractId: string) => admin.mutations(BILL).filter((m) => m.shop === shop && m.variables.contractId === contractId);

async function uninstall(shop: string) {
  await postShopifyWebhook("app/uninstalled", shop, { id: 1, domain: shop });
  await runDueJobs();
}

/** The merchant opens Recoup from the Shopify admin again: App Bridge's token, the offline token the install stored. */
async function openApp(shop: string) {
  await storeOfflineSession(shop);
  const request = new Request("http://localhost:3000/app", { headers: { authorization: `Bearer ${await sessionTokenFor(shop)}` } });
  return appOverview({ request, params: {}, context: {} });
}

describe("a Shopify shop uninstalls Recoup and comes back", () => {
  it("within the grace period: what the uninstall paused is planned again and retried; what the merchant paused stays paused", async () => {
    // A Thursday failure: the first retry waits at least 20 hours, for Friday morning, inside the
    // 48-hour grace period of an uninstall right after it.
    testClock.set(new Date("2026-11-05T07:00:00Z"));
    const { shop, workspace, first, second } = await shopWithTwoFailures();
    const planned = (await recoveryOf(first)).nextActionAt!;
    expect(planned.getTime() - now().getTime()).toBeGreaterThanOrEqual(20 * HOUR);
    expect(planned.getTime() - now().getTime()).toBeLessThan(47 * HOUR);
    await pauseRecovery({ workspaceId: workspace.id, recoveryId: (await recoveryOf(second)).id });
    const merchantReason = (await recoveryOf(second)).nextActionReason;

    await uninstall(shop);
    expect(await recoveryOf(first)).toMatchObject({ paused: true, pausedBy: "shop_uninstalled", nextActionReason: "Paused: Recoup was uninstalled from the Shopify store." });
    // The merchant's own pause is left as it was: still theirs, its reason untouched.
    expect(await recoveryOf(second)).toMatchObject({ paused: true, pausedBy: "merchant", nextActionReason: merchantReason });

    // The planned retry's time passes while the app is uninstalled: nothing is charged.
    await advanceTime(Math.max(planned.getTime() - now().getTime(), 0) + MINUTE);
    await runDueJobs();
    expect(billed(shop, first)).toHaveLength(0);
    expect(now().getTime() - planned.getTime()).toBeLessThan(47 * HOUR);

    // Reinstalled: the same workspace, the erasure called off.
    const page = await openApp(shop);
    expect(page.summary.workspaceId).toBe(workspace.id);
    expect((await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: shop } })).uninstalledAt).toBeNull();

    const resumed = await recoveryOf(first);
    expect(resumed).toMatchObject({ status: "pending", paused: false, pausedBy: null, pausedAt: null, nextActionKind: "retry" });
    expect(resumed.nextActionAt!.getTime()).toBeGreaterThan(now().getTime());
    expect(resumed.nextActionReason).not.toMatch(/uninstalled/);
    expect(await recoveryOf(second)).toMatchObject({ paused: true, pausedBy: "merchant" });

    // The retry goes at its new time, for the resumed recovery only; the grace period ends and nothing is erased.
    await advanceTime(resumed.nextActionAt!.getTime() - now().getTime() + MINUTE);
    await runDueJobs();
    expect(billed(shop, first)).toHaveLength(1);
    expect(billed(shop, second)).toHaveLength(0);
    await advanceTime(48 * HOUR);
    await runDueJobs();
    expect(await db().workspace.count({ where: { id: workspace.id } })).toBe(1);
    expect(await db().recovery.count({ where: { workspaceId: workspace.id } })).toBe(2);
  });

  it("a customer erased during the grace period is not resumed by the reinstall", async () => {
    const { shop, workspace, first, second } = await shopWithTwoFailures();
    await uninstall(shop);
    await postShopifyWebhook("customers/redact", shop, { shop_id: 1, shop_domain: shop, customer: { id: 7002, email: BOB.email }, orders_to_redact: [] });
    await runDueJobs();
    const erased = await db().recovery.findFirstOrThrow({ where: { workspaceId: workspace.id, customerId: null } });

    await openApp(shop);
    expect(await recoveryOf(first)).toMatchObject({ paused: false, nextActionKind: "retry" });
    expect(await db().recovery.findUniqueOrThrow({ where: { id: erased.id } })).toMatchObject({ status: "abandoned", erasedAt: expect.any(Date), nextActionReason: "Customer data erased on request." });
    await advanceTime(7 * 24 * HOUR);
    await runDueJobs();
    expect(billed(shop, first).length).toBeGreaterThan(0);
    expect(billed(shop, second)).toHaveLength(0);
  });

  it("reinstalled, then uninstalled again: the second uninstall gets its own full grace period", async () => {
    const { shop, workspace, first } = await shopWithTwoFailures();
    await uninstall(shop);
    await advanceTime(HOUR);
    await openApp(shop);
    await advanceTime(39 * HOUR);
    await uninstall(shop);
    expect(await recoveryOf(first)).toMatchObject({ paused: true, pausedBy: "shop_uninstalled" });

    // 48 hours after the first uninstall: its erasure is called off, the shop's data is still there.
    await advanceTime(8 * HOUR + MINUTE);
    await runDueJobs();
    expect(await db().workspace.count({ where: { id: workspace.id } })).toBe(1);
    // The merchant comes back within the second grace period: everything resumes as before.
    await openApp(shop);
    expect(await recoveryOf(first)).toMatchObject({ paused: false, nextActionKind: "retry" });
  });

  it("after the grace period the shop was erased: installing again starts clean, in a new workspace", async () => {
    const { shop, workspace, first } = await shopWithTwoFailures();
    await uninstall(shop);
    await advanceTime(48 * HOUR + MINUTE);
    await runDueJobs();
    expect(await db().workspace.count({ where: { id: workspace.id } })).toBe(0);

    const page = await openApp(shop);
    const linked = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: shop } });
    expect(linked).toMatchObject({ uninstalledAt: null, workspaceId: page.summary.workspaceId });
    expect(linked.workspaceId).not.toBe(workspace.id);
    expect(page.recoveries.items).toEqual([]);
    expect(await db().recovery.count({ where: { externalAccountId: shop } })).toBe(0);
    expect(await db().customer.count({ where: { workspaceId: linked.workspaceId } })).toBe(0);
    await advanceTime(7 * 24 * HOUR);
    await runDueJobs();
    expect(billed(shop, first)).toHaveLength(0);
  });
});
