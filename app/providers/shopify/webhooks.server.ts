import { eraseCustomer } from "~/domain/privacy/erasure.server";
import { pauseAccountRecoveries } from "~/domain/recovery/engine.server";
import { BILLING_TOPICS, handleBillingWebhook } from "~/providers/shopify/billing.server";
import { deleteWorkspace } from "~/domain/workspaces/workspaces.server";
import { now } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import { AppError } from "~/domain/errors";
import { receive, type InboxOutcome, type InboxSource } from "~/domain/inbox/inbox.server";
import { describeUnstorable, findUnstorable } from "~/utils/storable-text";
import { escapeHtml } from "~/utils/html";
import type { ShopifyWebhook } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";

/** Shopify's uninstall grace period before an uninstalled shop's data is erased (shop/redact comes at 48 h too). */
const SHOP_ERASE_GRACE_MS = 48 * 3_600_000;
/** pg-boss (the database's clock) may start the erase job a little before our clock reaches its time. */
const ERASE_CLOCK_SLACK_MS = 5 * 60_000;

/** Topics processed by a job; any other topic is stored and left alone (a topic Recoup does not subscribe to). */
const HANDLED = new Set(["app/uninstalled", "customers/data_request", "customers/redact", "shop/redact", ...BILLING_TOPICS]);

type ReceivedShopifyWebhook = { webhookId: string; topic: string; shop: string; apiVersion?: string; payload: unknown };

/** Verify happened in the route; here: into the inbox (unique webhook id; row and job in one transaction). */
export async function receiveShopifyWebhook(input: ReceivedShopifyWebhook) {
  const topic = input.topic.toLowerCase();
  // Signed is not storable: PostgreSQL refuses NUL and lone surrogates anywhere in the row.
  const unstorable = findUnstorable({ webhookId: input.webhookId, topic, shop: input.shop, apiVersion: input.apiVersion, payload: input.payload });
  if (unstorable) throw new AppError("malformed_event", `Not a storable Shopify webhook: ${describeUnstorable(unstorable).detail} (at ${unstorable.path}).`);
  const { duplicate } = await receive(shopifyWebhooks, { ...input, topic });
  return { duplicate };
}

/** The `shopify-webhook` job's handler (the inbox runs it: app/domain/inbox). */
async function handleShopifyWebhook(row: ShopifyWebhook): Promise<InboxOutcome> {
  const shop = await db().shopifyShop.findUnique({ where: { shopDomain: row.shopDomain } });
  if (!shop) return ignored("unknown shop");
  const payload = row.payload as Record<string, unknown>;
  if (BILLING_TOPICS.has(row.topic)) {
    if (shop.uninstalledAt) return ignored("shop uninstalled");
    const result = await handleBillingWebhook(row.topic, payload, { shopDomain: shop.shopDomain, workspaceId: shop.workspaceId, at: row.receivedAt });
    return result.status === "ignored" ? ignored(result.reason) : processed;
  }
  switch (row.topic) {
    case "app/uninstalled":
      await markShopUninstalled(shop.shopDomain);
      break;
    case "customers/redact": {
      const customer = (payload.customer ?? {}) as { id?: number | string; email?: string };
      for (const externalId of customerIds(customer.id)) await eraseCustomer({ workspaceId: shop.workspaceId, externalId, email: customer.email });
      break;
    }
    case "customers/data_request":
      await answerDataRequest(shop.workspaceId, shop.shopDomain, payload);
      break;
    case "shop/redact":
      await eraseShop(shop.shopDomain);
      break;
    default:
      return ignored(`topic ${row.topic} is not handled`);
  }
  return processed;
}

const processed: InboxOutcome = { status: "processed" };
const ignored = (note: string): InboxOutcome => ({ status: "ignored", note });

/**
 * Shopify's webhooks in the inbox: unique by webhook id; a topic Recoup does not handle is stored
 * and left alone (no job). A failed run reads `failed` while it is retried (docs/decisions/0042).
 */
export const shopifyWebhooks: InboxSource<ShopifyWebhook, ReceivedShopifyWebhook, "shopifyWebhookId", Prisma.ShopifyWebhookCreateManyInput> = {
  name: "shopify",
  queue: queues.shopifyWebhook,
  jobField: "shopifyWebhookId",
  table: (client) => client.shopifyWebhook,
  idColumn: "webhookId",
  async columns(tx, input) {
    const shop = await tx.shopifyShop.findUnique({ where: { shopDomain: input.shop } });
    return {
      webhookId: input.webhookId,
      topic: input.topic,
      shopDomain: input.shop,
      workspaceId: shop?.workspaceId ?? null,
      apiVersion: input.apiVersion ?? null,
      payload: input.payload as object,
      // The engine's clock: billing payloads carry no time, so this is when a failure happened.
      receivedAt: now(),
    };
  },
  key: (input) => ({ webhookId: input.webhookId }),
  runs: { stored: (input) => HANDLED.has(input.topic), where: { topic: { in: [...HANDLED] } } },
  retryingStatus: "failed",
  handle: handleShopifyWebhook,
};

function customerIds(id: number | string | undefined): string[] {
  if (id === undefined || id === null) return [];
  return [`gid://shopify/Customer/${id}`, String(id)];
}

/** `app/uninstalled`: sessions go at once, work stops, data stays for the grace period. */
async function markShopUninstalled(shopDomain: string) {
  await db().$transaction(async (tx) => {
    await tx.shopifySession.deleteMany({ where: { shop: shopDomain } });
    const shop = await tx.shopifyShop.update({ where: { shopDomain }, data: { uninstalledAt: now() } });
    await pauseAccountRecoveries({ tx, account: shopDomain, at: now(), reason: "Paused: Recoup was uninstalled from the Shopify store.", pausedBy: "shop_uninstalled" });
    await enqueue(queues.shopifyShopErase, { shopDomain }, { tx, key: `${shopDomain}:${shop.uninstalledAt!.toISOString()}`, startAfter: new Date(now().getTime() + SHOP_ERASE_GRACE_MS) });
  });
}

/**
 * `shop/redact`, or the end of the uninstall grace period: every Shopify
 * customer of the shop is erased; a workspace that only ever served this shop
 * is deleted with everything in it.
 */
export async function eraseShop(shopDomain: string, opts: { onlyIfUninstalled?: boolean } = {}) {
  const shop = await db().shopifyShop.findUnique({ where: { shopDomain } });
  if (!shop) return { erased: false };
  if (opts.onlyIfUninstalled) {
    if (!shop.uninstalledAt) return { erased: false }; // reinstalled meanwhile
    // Reinstalled and uninstalled again since this job's uninstall: the later uninstall's own job
    // erases, after its full grace period.
    if (now().getTime() < shop.uninstalledAt.getTime() + SHOP_ERASE_GRACE_MS - ERASE_CLOCK_SLACK_MS) return { erased: false };
  }
  const customers = await db().customer.findMany({ where: { workspaceId: shop.workspaceId, provider: "shopify" } });
  for (const c of customers) await eraseCustomer({ workspaceId: shop.workspaceId, externalId: c.externalId, email: c.email });
  const otherConnections =
    (await db().connectedStripeAccount.count({ where: { workspaceId: shop.workspaceId } })) +
    (await db().shopifyShop.count({ where: { workspaceId: shop.workspaceId, shopDomain: { not: shopDomain } } }));
  await db().$transaction(async (tx) => {
    await tx.shopifySession.deleteMany({ where: { shop: shopDomain } });
    await tx.shopifyWebhook.deleteMany({ where: { shopDomain } });
    await tx.shopifyShop.delete({ where: { shopDomain } });
  });
  if (otherConnections === 0) await deleteWorkspace(shop.workspaceId);
  log.info("shop erased", { shopDomain, workspaceDeleted: otherConnections === 0 });
  return { erased: true, workspaceDeleted: otherConnections === 0 };
}

/**
 * `customers/data_request`: what Recoup holds about the customer, sent to the
 * workspace owner, who answers the customer (Shopify does not take a reply).
 */
async function answerDataRequest(workspaceId: string, shopDomain: string, payload: Record<string, unknown>) {
  const customer = (payload.customer ?? {}) as { id?: number | string; email?: string };
  const ids = customerIds(customer.id);
  const held = await db().customer.findMany({
    where: { workspaceId, OR: [{ externalId: { in: ids } }, ...(customer.email ? [{ email: customer.email }] : [])] },
    include: { recoveries: { include: { retries: true, messages: { select: { subject: true, status: true, sentAt: true, toEmail: true } } } } },
  });
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, include: { owner: true } });
  const report = JSON.stringify({ shop: shopDomain, request: payload.data_request ?? null, customers: held }, null, 2);
  if (!workspace.owner.email) {
    log.warn("data request received but the workspace owner has no email", { workspaceId });
    return;
  }
  await deliverEmail({
    to: workspace.owner.email,
    subject: `Customer data request from ${shopDomain}`,
    text: `A customer asked ${shopDomain} for the data held about them. This is everything Recoup holds (${held.length} customer record(s)):\n\n${report}`,
    html: `<p>A customer asked ${shopDomain} for the data held about them. This is everything Recoup holds:</p><pre>${escapeHtml(report)}</pre>`,
    messageId: `<data-request-${workspaceId}-${Date.now()}@recoup>`,
  }, { kind: "owner_notice", workspaceId, recipientUserId: workspace.ownerUserId, audience: "recipient" });
}
