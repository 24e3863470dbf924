import { z } from "zod";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { invoiceInclude, invoiceOf } from "./invoices.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";
import type { ApiScope } from "./attempts.server";

// Subscriptions over /api/v1 (LostChurn 29–30): what Recoup knows of a PSP subscription from the
// failed payments it has worked on (Recovery rows) and its at-risk flags. Recoup is not the
// billing system: a subscription it has never seen fail or flagged is a 404, not "active".

export const SUBSCRIPTION_STATUSES = ["active", "past_due", "at_risk", "canceled"] as const;

/** Closing reasons that mean the subscription itself ended (engine: markSubscriptionEnded). */
const ENDED_REASONS = new Set(["subscription_canceled", "contract_cancelled", "contract_expired", "contract_failed"]);

const AtRiskSchema = z
  .object({
    reason: z.string().describe("payment_failed | card_expiring"),
    detected_at: z.iso.datetime(),
    expiration_date: z.iso.datetime().nullable().describe("card_expiring: when the card expires."),
  })
  .register(API_SCHEMA_NAMES, { id: "SubscriptionRisk" });

const AmountSchema = z.object({ amount_cents: z.number().int(), currency: z.string() }).register(API_SCHEMA_NAMES, { id: "Amount" });

export const SubscriptionSchema = z
  .object({
    id: z.string().describe("The PSP's subscription id (Stripe `sub_…`, Shopify contract GID)."),
    psp: z.string(),
    status: z
      .enum(SUBSCRIPTION_STATUSES)
      .describe(
        "past_due: a failed invoice is being recovered; at_risk: no open failure, but a risk is flagged (an expiring card); canceled: Recoup saw the subscription end; active: every failure Recoup saw is settled.",
      ),
    customer_id: z.string().nullable().describe("Recoup's customer id."),
    psp_customer_id: z.string(),
    customer_email: z.string().nullable(),
    failed_invoice_count: z.number().int().describe("Failed invoices Recoup has worked on, all time."),
    open_invoice_count: z.number().int(),
    recovered_invoice_count: z.number().int(),
    terminal_invoice_count: z.number().int(),
    past_due: z.array(AmountSchema).describe("Still owed on open invoices, per currency."),
    current_invoice_id: z.string().nullable().describe("The oldest open failed invoice (Recoup's id)."),
    next_action: z
      .object({ kind: z.string(), at: z.iso.datetime().nullable(), reason: z.string().nullable() })
      .nullable()
      .describe("What Recoup does next on the current invoice; null when none is open or it is paused."),
    risks: z.array(AtRiskSchema).describe("Unresolved at-risk flags."),
    first_failed_at: z.iso.datetime().nullable(),
    last_failed_at: z.iso.datetime().nullable(),
    canceled_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "Subscription" });

/** A subscription as Recoup knows it; never seen (in this workspace) → 404. */
export async function getSubscription(input: ApiScope & { id: string }) {
  const { workspaceId, id } = input;
  // Payments in the key's mode (ADR 0032); at-risk rows carry no mode: Stripe's subscription ids
  // differ by mode, and a subscription known only by its risks is live data.
  const risky = { workspaceId, externalSubscriptionId: id };
  const where = { ...risky, livemode: input.livemode };
  const [byStatus, open, latest, first, risks, owed] = await Promise.all([
    db().recovery.groupBy({ by: ["status"], where, _count: { _all: true } }),
    db().recovery.findFirst({ where: { ...where, status: "pending" }, orderBy: [{ startedAt: "asc" }, { id: "asc" }] }),
    db().recovery.findFirst({
      where,
      orderBy: [{ lastFailureAt: "desc" }, { id: "desc" }],
      include: { customer: { select: { email: true } }, outcomes: true },
    }),
    db().recovery.findFirst({ where, orderBy: [{ startedAt: "asc" }, { id: "asc" }], select: { startedAt: true } }),
    db().subscriptionAtRisk.findMany({ where: { ...risky, resolvedAt: null }, orderBy: { riskDetectedAt: "asc" } }),
    db().recovery.groupBy({ by: ["currency"], where: { ...where, status: "pending" }, _sum: { amountDueMinor: true }, orderBy: { currency: "asc" } }),
  ]);
  const anyRisk = latest || !input.livemode ? null : await db().subscriptionAtRisk.findFirst({ where: risky, orderBy: { riskDetectedAt: "desc" } });
  if (!latest && !anyRisk) throw new AppError("subscription_not_found", "Recoup has no record of this subscription in this workspace.");

  const count = (status?: string) => byStatus.filter((r) => !status || r.status === status).reduce((n, r) => n + r._count._all, 0);
  const endedBy = latest && latest.status !== "pending" ? latest.outcomes[0] : undefined;
  const canceled = !open && endedBy && ENDED_REASONS.has(endedBy.reasonCode ?? "") ? endedBy.occurredAt : null;
  const status: (typeof SUBSCRIPTION_STATUSES)[number] = open ? "past_due" : canceled ? "canceled" : risks.length > 0 ? "at_risk" : "active";
  const customer = latest ?? anyRisk!;
  const customerId = latest?.customerId ?? null;
  return {
    id,
    psp: latest?.provider ?? "stripe",
    status,
    customerId,
    pspCustomerId: customer.externalCustomerId,
    customerEmail: latest?.customer?.email ?? null,
    failedInvoiceCount: count(),
    openInvoiceCount: count("pending"),
    recoveredInvoiceCount: count("recovered"),
    terminalInvoiceCount: count("failed") + count("abandoned"),
    pastDue: owed.map((o) => ({ amountCents: o._sum.amountDueMinor ?? 0, currency: o.currency })),
    currentInvoiceId: open?.id ?? null,
    nextAction: open && !open.paused && open.nextActionKind ? { kind: open.nextActionKind, at: open.nextActionAt, reason: open.nextActionReason } : null,
    risks: risks.map((r) => ({ reason: r.reason, detectedAt: r.riskDetectedAt, expirationDate: r.expirationDate })),
    firstFailedAt: first?.startedAt ?? null,
    lastFailedAt: latest?.lastFailureAt ?? null,
    canceledAt: canceled,
  };
}

/** The subscription's failed invoices, newest first; an unknown subscription is a 404, not an empty list. */
export async function listSubscriptionInvoices(input: ApiScope & { id: string; page: PageRequest }) {
  const risky = { workspaceId: input.workspaceId, externalSubscriptionId: input.id };
  const where = { ...risky, livemode: input.livemode };
  const page = await paginate(input.page, {
    find: (args) => db().recovery.findMany({ ...args, where: { ...where, ...args.where }, include: invoiceInclude }),
    count: () => db().recovery.count({ where }),
  });
  if (page.items.length === 0) {
    const known = (await db().recovery.count({ where, take: 1 })) + (input.livemode ? await db().subscriptionAtRisk.count({ where: risky, take: 1 }) : 0);
    if (known === 0) throw new AppError("subscription_not_found", "Recoup has no record of this subscription in this workspace.");
  }
  return { ...page, items: page.items.map(invoiceOf) };
}
