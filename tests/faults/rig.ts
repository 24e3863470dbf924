// The fault suite's rig (npm run test:faults): a PostgreSQL cluster of the file's own (which a
// scenario may stop and start), the fake Stripe, a fake SMTP server that keeps every message it is
// given, `npm run start:web` and one or more `npm run start:worker` processes on that cluster, and a
// client that posts signed webhooks as Stripe does (redelivering whatever was not answered 2xx).
// Scenarios drive processes only: never the worker's or the intake's internals, so they keep their
// meaning whatever the worker's batch sizes, pools or intake path become.
import type pg from "pg";
import type Stripe from "stripe";
import { afterAll, beforeAll, expect } from "vitest";
import { prng } from "~/domain/demo/seed.server";
import { db } from "~/utils/db.server";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { startSmtpServer, type FakeSmtp } from "../fakes/smtp-server";
import { makeEvent, signPayload, type FakeStripe } from "../fakes/stripe-server";
import { zoneWhereItIsNoon } from "../helpers/daytime";
import { useOwnCluster } from "../helpers/own-cluster";
import type { RunningRecoup } from "../helpers/processes";
import { CONNECT_WEBHOOK_SECRET, setUpStripe } from "../helpers/stripe";
import { waitUntil } from "../helpers/wait";

export interface Rig {
  stripe: FakeStripe;
  smtp: FakeSmtp;
  /** The web process's address. */
  base: string;
  /** One statement on the cluster, outside the app (pg-boss's tables, counts). */
  sql<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  startWorker(): Promise<RunningRecoup>;
  workers: RunningRecoup[];
  stopDatabase(): Promise<void>;
  startDatabase(): Promise<void>;
}

/** Starts the rig for the file (beforeAll) and stops everything it started (afterAll). */
export function useFaultRig(name: string): Rig {
  const cluster = useOwnCluster(`pg-faults-${name}`);
  const rig = { workers: [] as RunningRecoup[], sql: cluster.sql, stopDatabase: cluster.stop, startDatabase: cluster.restart } as unknown as Rig;
  const start = (flags: string[], ready: RegExp) => cluster.start(flags, ready, { env: { SMTP_URL: rig.smtp.url }, timeoutMs: 180_000 });

  beforeAll(async () => {
    rig.stripe = await setUpStripe();
    rig.smtp = await startSmtpServer();
    const web = start(["--web"], /Recoup is running at (http:\/\/\S+)/);
    await web.seen;
    rig.base = /Recoup is running at (http:\/\/\S+)/.exec(web.output())![1]!;
    await rig.startWorker();
  }, 600_000);

  afterAll(async () => {
    await rig.stripe?.close();
    await rig.smtp?.close();
  }, 120_000);

  rig.startWorker = async () => {
    const worker = start(["--worker"], /Worker started/);
    await worker.seen;
    rig.workers.push(worker);
    return worker;
  };
  return rig;
}

/** A seeded pseudo-random sequence (the demo data's mulberry32): the same shuffles and repeat counts on every run. */
export function seeded(seed: number): () => number {
  return prng(seed).next;
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface Invoice {
  id: string;
  customerId: string;
  email: string;
  /** hard: the card will not be approved again, the customer is emailed at once; soft: a retry is planned. */
  decline: "hard" | "soft";
  /** The customer paid on Stripe's hosted page (an `invoice.paid` event is in the stream). */
  paid?: boolean;
}

export interface Merchant {
  workspaceId: string;
  account: string;
  invoices: Invoice[];
}

const DECLINE_CODES = { hard: "expired_card", soft: "insufficient_funds" } as const;

/**
 * A workspace with a connected account where it is early afternoon now (Recoup emails in the
 * customer's daytime), and on the fake Stripe `count` customers, each with a card and an open
 * invoice: one address per customer, so the spacing between two emails to one inbox never applies.
 */
export async function merchantWithInvoices(rig: Rig, opts: { count: number; decline: (i: number) => Invoice["decline"] }): Promise<Merchant> {
  const { workspace } = await makeWorkspace();
  await db().workspace.update({ where: { id: workspace.id }, data: { timezone: zoneWhereItIsNoon() } });
  const account = `acct_${Math.random().toString(36).slice(2, 12)}`;
  await connectStripeAccount(workspace.id, account);
  const invoices: Invoice[] = [];
  for (let i = 0; i < opts.count; i++) {
    const tag = `${account.slice(5)}${i}`;
    const invoice = { id: `in_${tag}`, customerId: `cus_${tag}`, email: `cus_${tag}@example.com`, decline: opts.decline(i) };
    const pm = `pm_${tag}`;
    rig.stripe.putPaymentMethod(account, { id: pm, card: { brand: "visa", fingerprint: `fp_${tag}`, last4: "4242" } as Stripe.PaymentMethod.Card });
    rig.stripe.putCustomer(account, { id: invoice.customerId, email: invoice.email, name: "Grace Hopper", invoice_settings: { default_payment_method: pm } as Stripe.Customer.InvoiceSettings });
    rig.stripe.putInvoice(account, {
      id: invoice.id,
      customer: invoice.customerId,
      customer_email: invoice.email,
      customer_name: "Grace Hopper",
      amount_due: 1000 + i,
      amount_remaining: 1000 + i,
      currency: "usd",
      status: "open",
      collection_method: "charge_automatically",
    });
    invoices.push(invoice);
  }
  return { workspaceId: workspace.id, account, invoices };
}

/** Stripe's failed collection attempt on each invoice, and the `invoice.payment_failed` event it sends. */
export function failureEvents(rig: Rig, merchant: Merchant): Stripe.Event[] {
  return merchant.invoices.map((invoice) =>
    makeEvent(
      "invoice.payment_failed",
      rig.stripe.failInvoice(merchant.account, invoice.id, { declineCode: DECLINE_CODES[invoice.decline], nextPaymentAttempt: null }),
      { account: merchant.account },
    ),
  );
}

/** The customer pays the invoice on Stripe's hosted page: Stripe marks it paid and sends `invoice.paid`. */
export function paidOnHostedPage(rig: Rig, merchant: Merchant, invoice: Invoice): Stripe.Event {
  const stored = rig.stripe.getInvoice(merchant.account, invoice.id)!;
  Object.assign(stored, { status: "paid", amount_paid: stored.amount_due, amount_remaining: 0 });
  stored.status_transitions.paid_at = Math.floor(Date.now() / 1000);
  invoice.paid = true;
  return makeEvent("invoice.paid", JSON.parse(JSON.stringify(stored)) as Stripe.Invoice, { account: merchant.account });
}

/** Each event 2 or 3 times (Stripe delivers at least once), the whole stream shuffled: both by `random`. */
export function redeliveredAndShuffled(events: Stripe.Event[], random: () => number): Stripe.Event[] {
  return shuffle(
    events.flatMap((event) => Array.from({ length: 2 + Math.floor(random() * 2) }, () => event)),
    random,
  );
}

export interface Delivery {
  /** Event ids answered 2xx (stored, by the contract of the webhook). */
  acknowledged: Set<string>;
  /** Posts answered otherwise (503 while the database is away, a refused connection…), each redelivered. */
  redelivered: number;
  /** Resolves once every post of the stream has been answered 2xx. */
  done: Promise<void>;
}

/**
 * Posts the stream to the web process over HTTP, `concurrency` at a time, signed as Stripe signs.
 * A post not answered 2xx is posted again after a short wait, until it is, as Stripe redelivers.
 */
export function deliver(rig: Rig, stream: Stripe.Event[], concurrency = 8): Delivery {
  const acknowledged = new Set<string>();
  const delivery = { acknowledged, redelivered: 0 } as Delivery;
  let next = 0;
  const post = async (event: Stripe.Event) => {
    const payload = JSON.stringify(event);
    for (;;) {
      const status = await fetch(`${rig.base}/api/webhooks/stripe`, {
        method: "POST",
        body: payload,
        headers: { "content-type": "application/json", "stripe-signature": signPayload(payload, CONNECT_WEBHOOK_SECRET) },
        signal: AbortSignal.timeout(30_000),
      }).then(
        async (res) => (await res.arrayBuffer(), res.status),
        () => 0,
      );
      if (status >= 200 && status < 300) return void acknowledged.add(event.id);
      delivery.redelivered += 1;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const lane = async () => {
    while (next < stream.length) await post(stream[next++]!);
  };
  delivery.done = Promise.all(Array.from({ length: concurrency }, lane)).then(() => {});
  return delivery;
}

/**
 * Jobs a worker began before `at` and never finished (it was killed, or the database went away under
 * it) run again once their expiry has passed: their start is moved back by their expiry, as if that
 * time had passed, and pg-boss's own maintenance (every 20 s) retries them.
 */
export async function expireRunsStartedBefore(rig: Rig, at: Date): Promise<number> {
  const rows = await rig.sql("UPDATE pgboss.job SET started_on = started_on - expire_in WHERE state = 'active' AND started_on < $1 RETURNING id", [at]);
  return rows.length;
}

/** Where the merchant's messages stand, by status, and what the SMTP server received for them. */
export async function mailState(rig: Rig, merchant: Merchant) {
  const rows = await db().dunningMessage.findMany({ where: { workspaceId: merchant.workspaceId }, select: { id: true, status: true, kind: true, recoveryId: true } });
  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const ours = new Set(rows.map((r) => `<${r.id}@recoup>`));
  const received = [...rig.smtp.countsByMessageId()].filter(([id]) => ours.has(id));
  return { rows, byStatus, received: received.reduce((n, [, c]) => n + c, 0), distinctReceived: received.length };
}

/**
 * Everything acknowledged has run to its end: each acknowledged event processed, a recovery per
 * invoice, every message settled (not `scheduled` or `sending`), and `settled()` when given.
 */
export async function drained(rig: Rig, merchant: Merchant, delivery: Delivery, opts: { timeoutMs: number; settled?: () => Promise<boolean> }) {
  const state = async () => {
    const events = await db().stripeEvent.groupBy({ by: ["status"], where: { eventId: { in: [...delivery.acknowledged] } }, _count: { _all: true } });
    const recoveries = await db().recovery.count({ where: { workspaceId: merchant.workspaceId } });
    const mail = await mailState(rig, merchant);
    return { events: Object.fromEntries(events.map((e) => [e.status, e._count._all])), recoveries, messages: mail.byStatus, received: mail.received };
  };
  await waitUntil(
    "everything acknowledged drained",
    async () => {
      const s = await state();
      const open = (s.messages.scheduled ?? 0) + (s.messages.sending ?? 0);
      return s.events.processed === delivery.acknowledged.size && s.recoveries === merchant.invoices.length && open === 0 && (!opts.settled || (await opts.settled()));
    },
    opts.timeoutMs,
    state,
  );
}

/**
 * The suite's bar, once drained: 0 lost (every acknowledged event processed, stored once; one recovery
 * per invoice; every hard decline's customer asked for a new card), 0 doubled (no invoice with two
 * recoveries, no idempotency key charged twice, no invoice paid twice at Stripe), and every email at
 * most once per Message-ID at the SMTP server, every message recorded `sent` received there.
 * `unknownAtMost`: how many messages may end `delivery_unknown` (a send cut off by the fault).
 */
export async function expectNoneLostNoneDoubled(rig: Rig, merchant: Merchant, delivery: Delivery, opts: { unknownAtMost: number }) {
  const acknowledged = [...delivery.acknowledged];
  const stored = await db().stripeEvent.findMany({ where: { eventId: { in: acknowledged } }, select: { eventId: true, status: true } });
  expect(stored).toHaveLength(acknowledged.length);
  expect(stored.filter((e) => e.status !== "processed")).toEqual([]);

  const recoveries = await db().recovery.findMany({ where: { workspaceId: merchant.workspaceId }, select: { id: true, externalId: true, status: true } });
  expect(recoveries.map((r) => r.externalId).sort()).toEqual(merchant.invoices.map((i) => i.id).sort());

  const mail = await mailState(rig, merchant);
  const hard = new Set(merchant.invoices.filter((i) => i.decline === "hard").map((i) => i.id));
  const paid = new Set(merchant.invoices.filter((i) => i.paid).map((i) => i.id));
  const asked = new Set(mail.rows.filter((m) => m.kind === "card_update_request").map((m) => m.recoveryId));
  expect(recoveries.filter((r) => hard.has(r.externalId) && !paid.has(r.externalId) && !asked.has(r.id)).map((r) => r.externalId)).toEqual([]);
  expect(recoveries.filter((r) => paid.has(r.externalId) && r.status !== "recovered")).toEqual([]);
  expect(mail.rows.filter((m) => m.kind === "card_update_request" && !hard.has(recoveries.find((r) => r.id === m.recoveryId)!.externalId))).toEqual([]);

  const counts = rig.smtp.countsByMessageId();
  const doubled = [...counts].filter(([, n]) => n > 1);
  expect(doubled).toEqual([]);
  const sentNotReceived = mail.rows.filter((m) => m.status === "sent" && !counts.has(`<${m.id}@recoup>`));
  expect(sentNotReceived).toEqual([]);
  const unknown = mail.rows.filter((m) => m.status === "delivery_unknown").length;
  expect(unknown).toBeLessThanOrEqual(opts.unknownAtMost);
  expect(mail.rows.filter((m) => !["sent", "delivery_unknown", "skipped"].includes(m.status))).toEqual([]);

  const attempts = await db().chargeAttempt.groupBy({ by: ["idempotencyKey"], where: { workspaceId: merchant.workspaceId }, _count: { _all: true } });
  expect(attempts.filter((a) => a._count._all > 1)).toEqual([]);
  const pays = rig.stripe.requestsTo("POST", /^\/v1\/invoices\/[^/]+\/pay$/).filter((r) => r.stripeAccount === merchant.account && r.answeredStatus === 200 && !r.replayed);
  const paysPerInvoice = new Map<string, number>();
  for (const pay of pays) paysPerInvoice.set(pay.path, (paysPerInvoice.get(pay.path) ?? 0) + 1);
  expect([...paysPerInvoice].filter(([, n]) => n > 1)).toEqual([]);
  return { mail, recoveries, pays, unknown };
}
