// Demo data for a first boot: one clearly labelled workspace with twelve weeks of
// plausible recoveries, so the dashboard has something to show before Stripe is
// connected. Deterministic (seeded PRNG, dates relative to `now`), never enqueues
// a job, and the pending recoveries have no stripeAccountId: nothing can charge anyone.
import { createAlertRule } from "~/domain/alerts/rules.server";
import { writeMetricSnapshots } from "~/domain/analytics/snapshots.server";
import { createSignInLink } from "~/domain/auth/sessions.server";
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { importRecoveryHistory } from "~/domain/recovery/commands.server";
import { findDeclineCode } from "~/domain/recovery/decline-codes";
import { planSequenceEmail } from "~/domain/recovery/email-plan";
import { actionTime, classifyFailure, decideNextAction, DEFAULT_RETRY_SETTINGS, type AttemptRecord, type MessageRecord, type RetrySettings } from "~/domain/recovery/policy";
import { createWorkspace } from "~/domain/workspaces/workspaces.server";
import { now as clockNow } from "~/utils/clock.server";
import { zoneOf } from "~/utils/customer-zone";
import { db, type Prisma } from "~/utils/db.server";
import { log } from "~/utils/logger.server";

export const DEMO_WORKSPACE_NAME = "Demo (sample data)";
export const DEMO_OWNER_EMAIL = "demo@recoup.local";
export const DEMO_RECOVERIES = 300;
const DEMO_DAYS = 84;
const HOUR = 3600_000;
const DEMO_TIMEZONE = "America/New_York";
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
/** How each story is meant to end, if it has ended by `now` (a recent one may still be open). */
const ENDING: ReadonlyArray<readonly ["recovered" | "failed" | "abandoned", number]> = [
  ["recovered", 0.6],
  ["failed", 0.25],
  ["abandoned", 0.15],
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

/**
 * Builds every row of the demo workspace in memory; pure given (workspaceId, now, seed). Each
 * recovery is the engine's own story: the platform's charge fails at a time of day charges run,
 * then `decideNextAction` (the policy the engine runs) says when Recoup retries or emails, the
 * sequence's reminders follow the default sequence with the 20-hour spacing, and the story ends
 * (recovered, lost, cancelled) or is still open at `now`.
 */
export function buildDemoData(input: { workspaceId: string; now: Date; seed?: number; recoveries?: number }) {
  const r = prng(input.seed ?? 0x5eed);
  const ws = input.workspaceId;
  const now = input.now.getTime();
  const n = input.recoveries ?? DEMO_RECOVERIES;
  const id = (kind: string, i: number) => `demo_${ws.slice(-10)}_${kind}${String(i).padStart(4, "0")}`;
  const settings: RetrySettings = { ...DEFAULT_RETRY_SETTINGS, fallbackTimezone: DEMO_TIMEZONE };

  const customers: Prisma.CustomerCreateManyInput[] = [];
  const recoveries: Prisma.RecoveryCreateManyInput[] = [];
  const retries: Prisma.ChargeAttemptCreateManyInput[] = [];
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
    const customer = customers[i < customerCount ? i : r.int(0, customerCount - 1)]!;
    const [errorCode, declineCode] = r.weighted(DECLINES.map(([e, d, w]) => [[e, d] as const, w] as const));
    const entry = findDeclineCode("stripe", declineCode ?? errorCode);
    const category = entry?.category ?? "unknown";
    const declineType = category === "hard_customer" || category === "terminal" ? "hard" : "soft";
    const currency = r.next() < 0.08 ? "eur" : "usd";
    const amount = r.weighted(PRICES);
    const ending = r.weighted(ENDING);
    const brand = r.pick(BRANDS);
    const fingerprint = r.hex(16);
    const recoveryId = id("ra", i);
    // Renewals fail over the whole twelve weeks, at the hour Stripe bills (spread over the day).
    const startedAt = now - r.int(2, DEMO_DAYS * 24 - 2) * HOUR - r.int(0, 3599) * 1000;

    const failure = {
      provider: "stripe",
      errorCode,
      declineCode,
      adviceCode: null,
      networkDeclineCode: null,
      networkAdviceCode: null,
      cardBrand: brand,
      cardFingerprint: fingerprint,
      amountMinor: amount,
      currency,
      customerTimezone: (customer.timezone as string | null) ?? null,
      failedAt: new Date(startedAt),
    };
    const attempts: AttemptRecord[] = [{ at: new Date(startedAt), source: "platform", succeeded: false, cardFingerprint: fingerprint, amountMinor: amount, currency }];
    const sent: MessageRecord[] = [];
    const recordAttempt = (at: number, source: "platform" | "recoup" | "customer", number: number, succeeded: boolean) => {
      retries.push({
        id: id(`rt${source[0]}${number}_`, i),
        workspaceId: ws,
        recoveryId: recoveryId,
        attemptNumber: number,
        source,
        idempotencyKey: `demo:${recoveryId}:${source}:${number}`,
        status: succeeded ? "succeeded" : "failed",
        declineCode: succeeded ? null : declineCode,
        errorCode: succeeded ? null : errorCode,
        cardFingerprint: fingerprint,
        amountMinor: amount,
        currency,
        attemptedAt: new Date(at),
      });
      attempts.push({ at: new Date(at), source, succeeded, cardFingerprint: fingerprint, amountMinor: amount, currency });
    };
    recordAttempt(startedAt, "platform", 1, false);

    // The story, step by step, as the engine would plan it.
    let status: Status = "pending";
    let endedAt: number | null = null;
    let reasonCode: string | null = null;
    let byCustomer = false;
    let recoupRetries = 0;
    let cursor = startedAt;
    let lastFailureAt = startedAt;
    let cardUpdatedAt: number | null = null;
    // Which of Recoup's retries goes through, for a story that ends recovered by a retry.
    const winningRetry = declineType === "soft" ? r.int(1, 4) : 0;
    // A cancelled subscription ends the story part-way.
    const cancelAt = ending === "abandoned" ? startedAt + r.int(1, 14) * DAY + r.int(0, 23) * HOUR : Infinity;
    let next: ReturnType<typeof decideNextAction> | null = null;
    for (let step = 0; step < 12; step++) {
      next = decideNextAction({
        failure: { ...failure, failedAt: new Date(lastFailureAt) },
        recoveryStartedAt: new Date(startedAt),
        paymentMethodUpdatedAt: cardUpdatedAt === null ? null : new Date(cardUpdatedAt),
        recoupRetriesSoFar: recoupRetries,
        cardAttempts: attempts,
        messages: sent,
        platformNextAttemptAt: null,
        settings,
        now: new Date(cursor),
      });
      const at = actionTime(next)?.getTime() ?? null;
      if (at !== null && at >= cancelAt && cancelAt <= now) {
        [status, endedAt, reasonCode] = ["abandoned", cancelAt, "subscription_canceled"];
        break;
      }
      if (next.kind === "retry") {
        if (at! > now) break; // still planned: the recovery is open
        recoupRetries += 1;
        const succeeded = cardUpdatedAt !== null || (ending === "recovered" && recoupRetries === winningRetry);
        recordAttempt(at!, "recoup", recoupRetries, succeeded);
        if (succeeded) {
          [status, endedAt, reasonCode] = ["recovered", at!, cardUpdatedAt !== null ? "payment_method_updated" : "retry_succeeded"];
          break;
        }
        lastFailureAt = at!;
        cursor = at!;
      } else if (next.kind === "email") {
        if (at! > now) break;
        sent.push({ at: new Date(at!), kind: next.template });
        cursor = at!;
        // The customer acts on the request (or not): a new card a few hours to days later.
        if (ending === "recovered") {
          const updated = at! + r.int(2, 60) * HOUR;
          if (updated < cancelAt && updated <= now) {
            cardUpdatedAt = updated;
            byCustomer = true;
            cursor = updated;
          }
        }
        // Without a new card the policy is asked again: it waits for the customer, and the window
        // runs out (below) unless they act.
      } else {
        // wait (for the customer) or stop (nothing left to try).
        const closeAt = next.kind === "stop" ? cursor : startedAt + settings.retryWindowDays * DAY;
        if (closeAt <= now && closeAt < cancelAt) [status, endedAt, reasonCode] = ["failed", closeAt, next.kind === "stop" ? "retries_exhausted" : "schedule_exhausted"];
        break;
      }
    }

    // The sequence's reminders, when the brain that plans them would send them (email-plan.ts), and
    // not after the story ended.
    const until = endedAt ?? now;
    for (const stepDef of DEFAULT_SEQUENCE.steps) {
      const due = startedAt + stepDef.delayHours * HOUR;
      if (due >= until) break;
      const earlier = sent.filter((m) => m.at.getTime() <= due).map((m) => m.at.getTime());
      const plan = planSequenceEmail({
        classification: next?.classification ?? classifyFailure({ ...failure, failedAt: new Date(lastFailureAt) }),
        stepDueAt: new Date(due),
        sentForRecovery: sent.map((m) => m.at),
        lastEmailToCustomerAt: earlier.length > 0 ? new Date(Math.max(...earlier)) : null,
        customerActedAt: cardUpdatedAt === null ? null : new Date(cardUpdatedAt),
        nextAction: { kind: null, at: null },
        zone: zoneOf(failure.customerTimezone, settings.fallbackTimezone),
        settings,
        now: new Date(due),
      });
      if (plan.kind === "skip" || plan.at.getTime() >= until) break;
      sent.push({ at: plan.at, kind: "sequence" });
      sent.sort((a, b) => a.at.getTime() - b.at.getTime());
    }
    sent.sort((a, b) => a.at.getTime() - b.at.getTime());
    sent.forEach((m, k) => {
      const at = m.at.getTime();
      const last = k === sent.length - 1;
      const messageStatus: "sent" | "opened" | "clicked" | "converted" =
        status === "recovered" && byCustomer && last ? "converted" : r.weighted([["sent", 4], ["opened", 4], ["clicked", 2]] as const);
      const opened = messageStatus !== "sent" ? Math.min(at + r.int(1, 20) * HOUR, now) : null;
      messages.push({
        id: id(`dm${k}_`, i),
        workspaceId: ws,
        recoveryId: recoveryId,
        kind: m.kind,
        dedupeKey: `demo:${k}`,
        toEmail: customer.email,
        subject: m.kind === "sequence" ? "Your payment didn't go through" : m.kind === "authentication_request" ? "Please confirm your payment" : "Your card needs updating",
        bodyText: `Hi ${customer.name},\n\nYour latest payment was declined. Update your card to keep your subscription.\n`,
        bodyHtml: `<p>Hi ${customer.name},</p><p>Your latest payment was declined. Update your card to keep your subscription.</p>`,
        status: messageStatus,
        scheduledFor: new Date(at),
        sentAt: new Date(at),
        openedAt: opened ? new Date(opened) : null,
        clickedAt: messageStatus === "clicked" || messageStatus === "converted" ? new Date(Math.min((opened ?? at) + HOUR, now)) : null,
        convertedAt: messageStatus === "converted" && endedAt ? new Date(endedAt) : null,
        transport: "outbox",
        trackingId: `demo_${ws.slice(-10)}_${r.hex(20)}`,
      });
    });

    const open = status === "pending";
    const planned = open && next ? next : null;
    recoveries.push({
      id: recoveryId,
      workspaceId: ws,
      externalAccountId: null,
      externalId: `in_demo${r.hex(16)}`,
      externalCustomerId: customer.externalId,
      externalSubscriptionId: `sub_demo${r.hex(14)}`,
      customerId: customer.id,
      declineType,
      declineCategory: category,
      errorCode,
      declineCode,
      failureMessage: entry?.description ?? "The card was declined.",
      status,
      amountDueMinor: amount,
      currency,
      recoveredAmountMinor: status === "recovered" ? amount : null,
      startedAt: new Date(startedAt),
      endedAt: endedAt === null ? null : new Date(endedAt),
      cardFingerprint: fingerprint,
      cardBrand: brand,
      cardLast4: String(r.int(0, 9999)).padStart(4, "0"),
      nextActionKind: planned ? planned.kind : null,
      nextActionAt: planned ? actionTime(planned) : null,
      nextActionReason: planned ? planned.reason : null,
      platformAttemptCount: 1,
      lastFailureAt: new Date(lastFailureAt),
      recoupRetryCount: recoupRetries,
      paymentMethodUpdatedAt: cardUpdatedAt === null ? null : new Date(cardUpdatedAt),
      linkUsedAt: cardUpdatedAt === null ? null : new Date(cardUpdatedAt),
    });

    if (!open) {
      outcomes.push({ id: id("oc", i), workspaceId: ws, recoveryId: recoveryId, outcome: status as Exclude<Status, "pending">, reasonCode, occurredAt: new Date(endedAt!) });
    }

    if (open && r.next() < 0.5) {
      atRisk.push({
        id: id("sr", i),
        workspaceId: ws,
        externalCustomerId: customer.externalId,
        externalSubscriptionId: recoveries[recoveries.length - 1]!.externalSubscriptionId!,
        reason: "payment_failed",
        riskDetectedAt: new Date(startedAt),
        activeRecoveryId: recoveryId,
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
      externalCustomerId: customer.externalId,
      externalSubscriptionId: `sub_demo${r.hex(14)}`,
      reason: "card_expiring",
      riskDetectedAt: new Date(detected),
      expirationDate: new Date(Date.UTC(expires.getUTCFullYear(), expires.getUTCMonth() + 1, 0, 23, 59, 59)),
      resolvedAt: k % 5 === 4 ? new Date(Math.min(detected + r.int(1, 5) * DAY, now - HOUR)) : null,
    });
  }

  return { customers, recoveries, retries, outcomes, messages, atRisk };
}

/**
 * Two alert rules a merchant would start with (ADR 0077): large failures in the dashboard's bell as
 * they happen, and a morning email digest of recoveries given up. The history above is imported, not
 * lived, so they fire for what happens from now on.
 */
async function seedDemoAlertRules(workspaceId: string) {
  const common = { enabled: true, recipientEmails: [], recipientPhones: [], webhookEndpointId: null };
  await createAlertRule({
    workspaceId,
    fields: { ...common, name: "Failed payments over $50", eventType: "payment_failed", channel: "in_app", cadence: "realtime", filter: { amountMinMinor: 5000 }, recipientRoles: [] },
  });
  await createAlertRule({
    workspaceId,
    fields: { ...common, name: "Recoveries given up, daily", eventType: "payment_abandoned", channel: "email", cadence: "daily_digest", filter: {}, recipientRoles: ["owner"] },
  });
}

/** Creates the demo workspace and its data. All rows land in one transaction, or the workspace is removed again. */
export async function seedDemoWorkspace(input: { now?: Date; seed?: number; recoveries?: number } = {}) {
  const now = input.now ?? clockNow();
  const { workspace, owner } = await createWorkspace({
    name: DEMO_WORKSPACE_NAME,
    ownerEmail: DEMO_OWNER_EMAIL,
    ownerName: "Demo owner",
    timezone: DEMO_TIMEZONE,
    isDemo: true,
  });
  try {
    const data = buildDemoData({ workspaceId: workspace.id, now, seed: input.seed, recoveries: input.recoveries });
    await db().$transaction(
      async (tx) => {
        await importRecoveryHistory(tx, { customers: data.customers, recoveries: data.recoveries, attempts: data.retries, outcomes: data.outcomes, atRisk: data.atRisk });
        await tx.dunningMessage.createMany({ data: data.messages });
      },
      // Thousands of rows on a first boot: more than the default five seconds on a slow disk.
      { timeout: 60_000 },
    );
    await writeMetricSnapshots({ workspaceId: workspace.id, now, days: DEMO_DAYS + 1 });
    await seedDemoAlertRules(workspace.id);
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
