// Pre-dunning (ADR 0074): a card on file that expires at the end of this month or the next is
// enrolled in the first active `card_expiring` / `pre_dunning` campaign, whose emails ask the
// customer to update it before a payment fails. A card the network updater refreshed (its expiry
// moved) is not expiring any more: it is never enrolled, and an enrollment already running ends.
import { DateTime } from "luxon";
import { isSuppressed } from "~/domain/deliverability/suppressions.server";
import { emailBranding, merchantName } from "~/domain/dunning/messages.server";
import { renderEmail } from "~/domain/dunning/templates";
import { AppError } from "~/domain/errors";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { providerFor } from "~/domain/recovery/providers.server";
import { now } from "~/utils/clock.server";
import { signPayload, verifyPayload } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { byPrecedence, EXPIRY_TRIGGERS } from "./model";
import { candidateOf } from "./campaigns.server";

const HOUR = 3_600_000;
const LINK_DAYS = 60;

/** The card as a platform reports it (a PaymentMethod's card, a legacy Card): kept, its latest expiry wins. */
export async function recordCardExpiry(input: {
  workspaceId: string;
  provider: string;
  accountId: string;
  customerId: string;
  paymentMethodId: string;
  brand?: string | null;
  last4?: string | null;
  expMonth: number;
  expYear: number;
  email?: string | null;
  name?: string | null;
  /** When the platform reported it (its event's time). */
  at: Date;
}) {
  if (!Number.isInteger(input.expMonth) || input.expMonth < 1 || input.expMonth > 12 || !Number.isInteger(input.expYear)) return null;
  // Events come in any order: an older report never overwrites a newer one, and of two in the same
  // second the later expiry wins (a refreshed card only ever moves forward).
  const current = await db().cardExpiry.findUnique({ where: { workspaceId_paymentMethodId: { workspaceId: input.workspaceId, paymentMethodId: input.paymentMethodId } } });
  if (current) {
    const older = input.at < current.reportedAt;
    const sameSecondEarlierExpiry = input.at.getTime() === current.reportedAt.getTime() && input.expYear * 12 + input.expMonth < current.expYear * 12 + current.expMonth;
    if (older || sameSecondEarlierExpiry) return current;
  }
  const data = {
    provider: input.provider,
    externalAccountId: input.accountId,
    externalCustomerId: input.customerId,
    brand: input.brand ?? null,
    last4: input.last4 ?? null,
    expMonth: input.expMonth,
    expYear: input.expYear,
    ...(input.email ? { email: input.email } : {}),
    ...(input.name ? { name: input.name } : {}),
    reportedAt: input.at,
  };
  return db().cardExpiry.upsert({
    where: { workspaceId_paymentMethodId: { workspaceId: input.workspaceId, paymentMethodId: input.paymentMethodId } },
    create: { workspaceId: input.workspaceId, paymentMethodId: input.paymentMethodId, ...data },
    update: data,
  });
}

/** The card left the customer (Stripe `payment_method.detached`): it will not be charged, so no warning. */
export async function forgetCardExpiry(input: { workspaceId: string; paymentMethodId: string }) {
  await db().cardExpiry.deleteMany({ where: { workspaceId: input.workspaceId, paymentMethodId: input.paymentMethodId } });
}

/** "December 2026": the month a card stops working after, in the customer's words (emails and the /card page). */
export const expiryWords = (card: { expMonth: number; expYear: number }) =>
  DateTime.fromObject({ year: card.expYear, month: card.expMonth }, { zone: "UTC" }).setLocale("en").toFormat("LLLL yyyy");

/** "2026-12": the month a card stops working after. */
export const expiryOf = (card: { expMonth: number; expYear: number }) => `${card.expYear}-${String(card.expMonth).padStart(2, "0")}`;

/** The expiries pre-dunning looks at on `at`: this month's and next month's (UTC). */
export function expiringMonths(at: Date): Array<{ expYear: number; expMonth: number }> {
  const d = DateTime.fromJSDate(at, { zone: "UTC" }).startOf("month");
  return [d, d.plus({ months: 1 })].map((m) => ({ expYear: m.year, expMonth: m.month }));
}


/**
 * The pre-dunning sweep (daily, and after a `customer.source.expiring`): every expiring card of
 * every workspace with an active expiry campaign is enrolled once per campaign and expiry; the
 * first step's job is queued in the same transaction.
 */
export async function sweepPreDunning(input: { workspaceId?: string } = {}): Promise<{ enrolled: number }> {
  const campaigns = await db().dunningSequence.findMany({
    where: { status: "active", trigger: { in: [...EXPIRY_TRIGGERS] }, ...(input.workspaceId ? { workspaceId: input.workspaceId } : {}) },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  const byWorkspace = new Map<string, typeof campaigns>();
  for (const c of campaigns) if (c.steps.length > 0) byWorkspace.set(c.workspaceId, [...(byWorkspace.get(c.workspaceId) ?? []), c]);
  const at = now();
  let enrolled = 0;
  for (const [workspaceId, list] of byWorkspace) {
    // Precedence among expiry campaigns, as among failure campaigns: one campaign per card.
    const first = list.map((c) => ({ ...candidateOf(c), row: c })).sort(byPrecedence)[0]!.row;
    const cards = await db().cardExpiry.findMany({ where: { workspaceId, OR: expiringMonths(at) } });
    for (const card of cards) {
      const created = await db().$transaction(async (tx) => {
        const [row] = await tx.campaignEnrollment.createManyAndReturn({
          data: [{ workspaceId, campaignId: first.id, cardExpiryId: card.id, expiry: expiryOf(card), totalSteps: first.steps.length, enrolledAt: at }],
          select: { id: true },
          skipDuplicates: true,
        });
        if (!row) return false;
        await enqueue(queues.preDunningStep, { enrollmentId: row.id, position: 0 }, { key: `${row.id}:0`, startAfter: new Date(at.getTime() + first.steps[0]!.delayHours * HOUR), tx });
        return true;
      });
      if (created) enrolled++;
    }
  }
  return { enrolled };
}

/** A signed link naming one card: the customer's `/card/<token>` page. */
export function cardUpdateToken(cardExpiryId: string, at = now()): string {
  return signPayload({ c: cardExpiryId, e: Math.floor(at.getTime() / 1000) + LINK_DAYS * 86_400 });
}

function cardIdOf(token: string): string | null {
  const payload = verifyPayload<{ c?: unknown; e?: unknown }>(token);
  if (!payload || typeof payload.c !== "string" || typeof payload.e !== "number" || payload.e * 1000 < now().getTime()) return null;
  return payload.c;
}

export const cardUpdateUrl = (token: string) => `${env().APP_URL}/card/${token}`;

export type PreDunningOutcome = { outcome: "sent"; to: string; next: number | null } | { outcome: "ended" | "held" | "skipped"; reason: string };

/** One pre-dunning email: sent once under its Message-ID, then the next step queued. */
export async function runPreDunningStep(input: { enrollmentId: string; position: number }): Promise<PreDunningOutcome> {
  const enrollment = await db().campaignEnrollment.findUnique({ where: { id: input.enrollmentId }, include: { campaign: { include: { steps: { orderBy: { position: "asc" } } } } } });
  if (!enrollment || !enrollment.cardExpiryId) return { outcome: "ended", reason: "enrollment gone" };
  if (enrollment.status === "exited" || enrollment.status === "completed") return { outcome: "ended", reason: `enrollment ${enrollment.status}` };
  const end = async (reason: string) => {
    await db().campaignEnrollment.updateMany({ where: { id: enrollment.id, status: { in: ["active", "paused"] } }, data: { status: "exited", endReason: reason, endedAt: now() } });
    return { outcome: "ended" as const, reason };
  };
  const { campaign } = enrollment;
  if (campaign.status === "paused") {
    await db().campaignEnrollment.updateMany({ where: { id: enrollment.id, status: "active" }, data: { status: "paused" } });
    return { outcome: "held", reason: "campaign paused" };
  }
  if (campaign.status !== "active" && campaign.status !== "completed") return end(`campaign_${campaign.status}`);
  const card = await db().cardExpiry.findUnique({ where: { id: enrollment.cardExpiryId } });
  // The network updater (or the customer) gave the card a new expiry: nothing to ask for.
  if (!card || expiryOf(card) !== enrollment.expiry) return end("card_refreshed");
  const step = campaign.steps[input.position];
  if (!step) return end("all_steps_sent");
  if (!card.email) return end("no email address");
  const suppressed = await isSuppressed(card.workspaceId, card.email);
  if (suppressed) return end(`address suppressed (${suppressed.reason})`);

  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: card.workspaceId } });
  const expires = expiryWords(card);
  const email = renderEmail({
    subject: step.subjectTemplate,
    body: step.bodyTemplate,
    values: {
      customer_name: card.name?.trim() || "there",
      amount: "your next payment",
      currency: "",
      decline_reason: `your ${card.brand ?? "card"} ending ${card.last4 ?? "…"} expires at the end of ${expires}`,
      retry_date: `the end of ${expires}`,
      update_payment_url: cardUpdateUrl(cardUpdateToken(card.id)),
      merchant_name: merchantName(workspace),
      // Nothing is owed before the card expires: a pay link would be the card update.
      pay_link_url: cardUpdateUrl(cardUpdateToken(card.id)),
    },
    branding: emailBranding(workspace, "Update your card"),
  });
  // At least once, under a Message-ID fixed per enrollment and step: a rerun is the same message.
  await deliverEmail(
    { to: card.email, subject: email.subject, text: email.text, html: email.html, messageId: `<pre-${enrollment.id}-${input.position}@recoup>`, fromName: merchantName(workspace), replyTo: workspace.replyTo },
    { kind: "pre_dunning", workspaceId: card.workspaceId, audience: "members" },
  );
  const nextStep = campaign.steps[input.position + 1];
  await db().$transaction(async (tx) => {
    await tx.campaignEnrollment.update({
      where: { id: enrollment.id },
      data: { currentStep: Math.max(enrollment.currentStep, input.position + 1), lastSentAt: now(), ...(nextStep ? {} : { status: "completed", endReason: "all_steps_sent", endedAt: now() }) },
    });
    if (nextStep) {
      await enqueue(
        queues.preDunningStep,
        { enrollmentId: enrollment.id, position: input.position + 1 },
        { key: `${enrollment.id}:${input.position + 1}`, startAfter: new Date(enrollment.enrolledAt.getTime() + nextStep.delayHours * HOUR), tx },
      );
    }
  });
  log.info("pre-dunning email sent", { enrollmentId: enrollment.id, position: input.position });
  return { outcome: "sent", to: card.email, next: nextStep ? input.position + 1 : null };
}

/** The card a `/card/<token>` link names, for its page; unknown or expired links are not found. */
export async function cardOfToken(token: string) {
  const id = cardIdOf(token);
  const card = id ? await db().cardExpiry.findUnique({ where: { id } }) : null;
  if (!card) throw new AppError("token_not_found", "This link is unknown or has expired.");
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: card.workspaceId } });
  return { card, merchantName: merchantName(workspace), expires: expiryWords(card) };
}

/** The page's button: the provider's own card update for this customer (Stripe: a portal session; Shopify: its secure email). */
export async function startCardUpdateFromLink(token: string) {
  const { card } = await cardOfToken(token);
  const provider = providerFor(card.provider);
  if (!provider.startCustomerCardUpdate) throw new AppError("not_configured", "This business updates cards another way. Please contact them directly.");
  return provider.startCustomerCardUpdate({
    accountId: card.externalAccountId,
    customerId: card.externalCustomerId,
    paymentMethodId: card.paymentMethodId,
    returnUrl: `${cardUpdateUrl(token)}?updated=1`,
    key: `card-${card.id}`,
  });
}

/** Whether the workspace has an active expiry campaign: only then are a platform's cards read for their expiry (Shopify: one Admin API call). */
export async function wantsCardExpiries(workspaceId: string): Promise<boolean> {
  return (await db().dunningSequence.count({ where: { workspaceId, status: "active", trigger: { in: [...EXPIRY_TRIGGERS] } } })) > 0;
}


