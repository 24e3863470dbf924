// Demo data for a first boot: one clearly labelled workspace with twelve weeks of
// plausible recoveries, so the dashboard has something to show before Stripe is
// connected. Deterministic (seeded PRNG, dates relative to `now`), never enqueues
// a job, and the pending recoveries have no stripeAccountId: nothing can charge anyone.
import { writeMetricSnapshots } from "~/domain/analytics/snapshots.server";
import { createSignInLink } from "~/domain/auth/sessions.server";
import { findDeclineCode } from "~/domain/recovery/decline-codes";
import { createWorkspace } from "~/domain/workspaces/workspaces.server";
import { now as clockNow } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import { log } from "~/utils/logger.server";

export const DEMO_WORKSPACE_NAME = "Demo (sample data)";
export const DEMO_OWNER_EMAIL = "demo@recoup.local";
export const DEMO_RECOVERIES = 300;
const DEMO_DAYS = 84;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const weighted = <T>(items: ReadonlyArray<readonly [T, number]>) => {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = next() * total;
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1]![0];
  };
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join("");
  return { next, int, pick, weighted, hex };
}

type Status = "recovered" | "pending" | "failed" | "abandoned";
const STATUS_SHARE: ReadonlyArray<readonly [Status, number]> = [
  ["recovered", 0.55],
  ["pending", 0.25],
  ["failed", 0.12],
  ["abandoned", 0.08],
];

// [Stripe error code, decline code, weight]; type and category come from the catalogue.
const DECLINES: ReadonlyArray<readonly [string, string | null, number]> = [
  ["card_declined", "insufficient_funds", 34],
  ["card_declined", "do_not_honor", 14],
  ["card_declined", "generic_decline", 12],
  ["expired_card", "expired_card", 12],
  ["authentication_required", "authentication_required", 8],
  ["processing_error", null, 8],
  ["incorrect_cvc", "incorrect_cvc", 5],
  ["card_declined", "card_velocity_exceeded", 4],
  ["card_declined", "lost_card", 3],
];
const PRICES: ReadonlyArray<readonly [number, number]> = [
  [900, 10], [1900, 22], [2900, 20], [4900, 18], [9900, 14], [14900, 7], [19900, 5], [29900, 4],
];
const FIRST = ["Ada", "Ben", "Chloé", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yusuf", "Zoe"];
const LAST = ["Adams", "Bauer", "Chen", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ito", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang"];
const BRANDS = ["visa", "visa", "visa", "mastercard", "mastercard", "amex"] as const;

const ascii = (s: string) => s.normalize("NFD").replace(/[^a-zA-Z]/g, "").toLowerCase();

/** Builds every row of the demo workspace in memory; pure given (workspaceId, now, seed). */
export function buildDemoData(input: { workspaceId: string; now: Date; seed?: number; recoveries?: number }) {
  const r = prng(input.seed ?? 0x5eed);
  const ws = input.workspaceId;
  const now = input.now.getTime();
  const n = input.recoveries ?? DEMO_RECOVERIES;
  const id = (kind: string, i: number) => `demo_${ws.slice(-10)}_${kind}${String(i).padStart(4, "0")}`;

  // Exact shares, in a shuffled order (Fisher–Yates).
  const statuses: Status[] = [];
  for (const [status, share] of STATUS_SHARE) for (let k = 0; k < Math.round(share * n); k++) statuses.push(status);
  while (statuses.length < n) statuses.push("recovered");
  statuses.length = n;
  for (let i = statuses.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [statuses[i], statuses[j]] = [statuses[j]!, statuses[i]!];
  }

  const customers: Prisma.CustomerCreateManyInput[] = [];
  const recoveries: Prisma.RecoveryAttemptCreateManyInput[] = [];
  const retries: Prisma.RetryAttemptCreateManyInput[] = [];
  const outcomes: Prisma.RecoveryOutcomeCreateManyInput[] = [];
  const messages: Prisma.DunningMessageCreateManyInput[] = [];
  const atRisk: Prisma.SubscriptionAtRiskCreateManyInput[] = [];

  const customerCount = Math.ceil(n * 0.8);
  for (let c = 0; c < customerCount; c++) {
    const first = r.pick(FIRST);
    const last = r.pick(LAST);
    customers.push({
      id: id("cu", c),
      workspaceId: ws,
      externalId: `cus_demo${r.hex(14)}`,
      name: `${first} ${last}`,
      email: `${ascii(first)}.${ascii(last)}${c}@example.com`,
      timezone: r.pick(["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", null]),
    });
  }

  for (let i = 0; i < n; i++) {
    const status = statuses[i]!;
    const customer = customers[i < customerCount ? i : r.int(0, customerCount - 1)]!;
    const [errorCode, declineCode] = r.weighted(DECLINES.map(([e, d, w]) => [[e, d] as const, w] as const));
    const entry = findDeclineCode("stripe", declineCode ?? errorCode);
    const category = entry?.category ?? "unknown";
    const declineType = category === "hard_customer" || category === "terminal" ? "hard" : "soft";
    const currency = r.next() < 0.08 ? "eur" : "usd";
    const amount = r.weighted(PRICES);
    // Open recoveries are young (the retry window is three weeks); closed ones span the twelve weeks.
    const ageMs = status === "pending" ? r.int(1, 20 * 24) * HOUR : r.int(2 * 24, DEMO_DAYS * 24) * HOUR;
    const startedAt = now - ageMs - r.int(0, 59) * 60_000;
    const endedAt = status === "pending" ? null : Math.min(now - HOUR, startedAt + r.int(6, 21 * 24) * HOUR);
    const recoveryId = id("ra", i);
    const brand = r.pick(BRANDS);
    const fingerprint = r.hex(16);

    // Charge attempts: failures, then (for recovered ones) a success, from us or Stripe's own retries.
    const lastAt = endedAt ?? now - HOUR;
    const attempts = status === "recovered" ? r.int(1, 4) : status === "pending" ? r.int(0, 3) : r.int(2, 6);
    const byCustomer = status === "recovered" && declineType === "hard" && r.next() < 0.7;
    let recoupCount = 0;
    let platformCount = 0;
    let lastFailureAt = startedAt;
    for (let a = 1; a <= attempts; a++) {
      const succeeded = status === "recovered" && a === attempts;
      const source = succeeded && byCustomer ? "customer" : r.next() < 0.7 ? "recoup" : "platform";
      if (source === "recoup") recoupCount++;
      if (source === "platform") platformCount++;
      const at = startedAt + Math.round(((lastAt - startedAt) * a) / (attempts + (status === "recovered" ? 0 : 1)));
      if (!succeeded) lastFailureAt = at;
      retries.push({
        id: id(`rt${a}_`, i),
        workspaceId: ws,
        recoveryAttemptId: recoveryId,
        attemptNumber: a,
        source,
        idempotencyKey: `demo:${recoveryId}:${a}`,
        status: succeeded ? "succeeded" : "failed",
        declineCode: succeeded ? null : declineCode,
        errorCode: succeeded ? null : errorCode,
        cardFingerprint: fingerprint,
        amountCents: amount,
        currency,
        attemptedAt: new Date(at),
      });
    }

    const nextKind = status !== "pending" ? null : declineType === "hard" ? r.pick(["email", "wait"] as const) : "retry";
    recoveries.push({
      id: recoveryId,
      workspaceId: ws,
      stripeAccountId: null,
      stripeInvoiceId: `in_demo${r.hex(16)}`,
      stripeCustomerId: customer.externalId,
      stripeSubscriptionId: `sub_demo${r.hex(14)}`,
      customerId: customer.id,
      declineType,
      declineCategory: category,
      errorCode,
      declineCode,
      failureMessage: entry?.description ?? "The card was declined.",
      status,
      amountDueCents: amount,
      currency,
      recoveredAmountCents: status === "recovered" ? amount : null,
      startedAt: new Date(startedAt),
      endedAt: endedAt === null ? null : new Date(endedAt),
      cardFingerprint: fingerprint,
      cardBrand: brand,
      cardLast4: String(r.int(0, 9999)).padStart(4, "0"),
      nextActionKind: nextKind,
      nextActionAt: nextKind === "retry" ? new Date(now + r.int(1, 72) * HOUR) : nextKind === "email" ? new Date(now + r.int(1, 24) * HOUR) : null,
      nextActionReason:
        nextKind === "retry"
          ? "Retrying near the customer's payday, in their morning."
          : nextKind === "email"
            ? "The card cannot succeed as it is: asking the customer to update it."
            : nextKind === "wait"
              ? "Waiting for the customer to update their card."
              : null,
      platformAttemptCount: platformCount,
      lastFailureAt: new Date(lastFailureAt),
      recoupRetryCount: recoupCount,
      paymentMethodUpdatedAt: byCustomer && endedAt ? new Date(endedAt - 5 * 60_000) : null,
      linkUsedAt: byCustomer && endedAt ? new Date(endedAt - 5 * 60_000) : null,
    });

    if (status !== "pending") {
      outcomes.push({
        id: id("oc", i),
        workspaceId: ws,
        recoveryAttemptId: recoveryId,
        outcome: status,
        reasonCode:
          status === "recovered"
            ? byCustomer ? "payment_method_updated" : "retry_succeeded"
            : status === "failed" ? "retries_exhausted" : "subscription_canceled",
        occurredAt: new Date(endedAt!),
      });
    }

    // Emails mostly go out when the customer must act.
    if (declineType === "hard" || r.next() < 0.2) {
      const sentAt = startedAt + r.int(1, 6) * HOUR;
      if (sentAt < now) {
        const messageStatus =
          status === "recovered" && byCustomer
            ? "converted"
            : r.weighted([["sent", 4], ["opened", 4], ["clicked", 2]] as const);
        const opened = messageStatus !== "sent" ? sentAt + r.int(1, 20) * HOUR : null;
        messages.push({
          id: id("dm", i),
          workspaceId: ws,
          recoveryAttemptId: recoveryId,
          kind: declineCode === "authentication_required" ? "authentication_request" : declineType === "hard" ? "card_update_request" : "sequence",
          dedupeKey: "demo:first",
          toEmail: customer.email,
          subject: "Your payment didn't go through",
          bodyText: `Hi ${customer.name},\n\nYour latest payment was declined. Update your card to keep your subscription.\n`,
          bodyHtml: `<p>Hi ${customer.name},</p><p>Your latest payment was declined. Update your card to keep your subscription.</p>`,
          status: messageStatus,
          scheduledFor: new Date(sentAt),
          sentAt: new Date(sentAt),
          openedAt: opened ? new Date(Math.min(opened, now)) : null,
          clickedAt: messageStatus === "clicked" || messageStatus === "converted" ? new Date(Math.min((opened ?? sentAt) + HOUR, now)) : null,
          convertedAt: messageStatus === "converted" && endedAt ? new Date(endedAt) : null,
          transport: "outbox",
          trackingId: `demo_${ws.slice(-10)}_${r.hex(20)}`,
        });
      }
    }

    if (status === "pending" && r.next() < 0.5) {
      atRisk.push({
        id: id("sr", i),
        workspaceId: ws,
        stripeCustomerId: customer.externalId,
        stripeSubscriptionId: recoveries[recoveries.length - 1]!.stripeSubscriptionId!,
        reason: "payment_failed",
        riskDetectedAt: new Date(startedAt),
        activeRecoveryAttemptId: recoveryId,
      });
    }
  }

  // Cards about to expire on healthy subscriptions; a few already dealt with.
  for (let k = 0; k < 14; k++) {
    const customer = customers[r.int(0, customerCount - 1)]!;
    const detected = now - r.int(1, 30) * DAY;
    const expires = new Date(now + r.int(5, 40) * DAY);
    atRisk.push({
      id: id("se", k),
      workspaceId: ws,
      stripeCustomerId: customer.externalId,
      stripeSubscriptionId: `sub_demo${r.hex(14)}`,
      reason: "card_expiring",
      riskDetectedAt: new Date(detected),
      expirationDate: new Date(Date.UTC(expires.getUTCFullYear(), expires.getUTCMonth() + 1, 0, 23, 59, 59)),
      resolvedAt: k % 5 === 4 ? new Date(Math.min(detected + r.int(1, 5) * DAY, now - HOUR)) : null,
    });
  }

  return { customers, recoveries, retries, outcomes, messages, atRisk };
}

/** Creates the demo workspace and its data. All rows land in one transaction, or the workspace is removed again. */
export async function seedDemoWorkspace(input: { now?: Date; seed?: number; recoveries?: number } = {}) {
  const now = input.now ?? clockNow();
  const { workspace, owner } = await createWorkspace({
    name: DEMO_WORKSPACE_NAME,
    ownerEmail: DEMO_OWNER_EMAIL,
    ownerName: "Demo owner",
    timezone: "America/New_York",
    isDemo: true,
  });
  try {
    const data = buildDemoData({ workspaceId: workspace.id, now, seed: input.seed, recoveries: input.recoveries });
    await db().$transaction([
      db().customer.createMany({ data: data.customers }),
      db().recoveryAttempt.createMany({ data: data.recoveries }),
      db().retryAttempt.createMany({ data: data.retries }),
      db().recoveryOutcome.createMany({ data: data.outcomes }),
      db().dunningMessage.createMany({ data: data.messages }),
      db().subscriptionAtRisk.createMany({ data: data.atRisk }),
    ]);
    await writeMetricSnapshots({ workspaceId: workspace.id, now, days: DEMO_DAYS + 1 });
    return { workspace, owner, counts: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.length])) };
  } catch (error) {
    await db().workspace.delete({ where: { id: workspace.id } }).catch(() => {});
    throw error;
  }
}

/**
 * On a database with no workspace at all, seeds the demo workspace and returns a
 * one-time sign-in link to it (valid 72 h); otherwise (or when disabled) null.
 */
export async function seedDemoOnFirstBoot(opts: { enabled: boolean; appUrl: string; now?: Date }): Promise<string | null> {
  if (!opts.enabled) return null;
  if ((await db().workspace.count()) > 0) return null;
  const { workspace, owner, counts } = await seedDemoWorkspace({ now: opts.now });
  log.info("demo workspace seeded", { workspaceId: workspace.id, ...counts });
  return createSignInLink({ userId: owner.id, workspaceId: workspace.id, appUrl: opts.appUrl, hours: 72 });
}
