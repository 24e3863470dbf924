// What a campaign is and whom it claims (ADR 0070). Pure: the engine's enrollment, the overlap
// check and the simulation all ask these functions, so a simulation answers what the engine would do.
import { z } from "zod";
import { DECLINE_CATEGORIES, type DeclineCategory, type DeclineSubcategory } from "~/domain/recovery/decline-vocabulary";
import { currencyExponent } from "~/utils/money";

export const CAMPAIGN_TRIGGERS = [
  "payment_failed",
  "card_expiring",
  "card_expired",
  "manual",
  "pre_dunning",
  "soft_decline",
  "repeated_failure",
  "high_value_churn",
  "any_decline",
] as const;
export type CampaignTrigger = (typeof CAMPAIGN_TRIGGERS)[number];

export const CAMPAIGN_STATUSES = ["draft", "active", "paused", "completed", "archived"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Which status each lifecycle command may start from. */
export const TRANSITIONS = {
  activate: ["draft", "paused"],
  pause: ["active"],
  complete: ["active", "paused"],
  archive: ["draft", "paused", "completed"],
} as const satisfies Record<string, readonly CampaignStatus[]>;
export type CampaignCommand = keyof typeof TRANSITIONS;
export const TARGET_OF: Record<CampaignCommand, CampaignStatus> = { activate: "active", pause: "paused", complete: "completed", archive: "archived" };

/** Name, trigger, filters and precedence change only while the campaign claims nobody new. */
export const EDITABLE_STATUSES: readonly CampaignStatus[] = ["draft", "paused"];

/** Triggers that a failed payment can match when its recovery opens. The others enroll in their own way. */
const FAILURE_TRIGGERS: ReadonlySet<CampaignTrigger> = new Set(["payment_failed", "any_decline", "soft_decline", "card_expired", "repeated_failure", "high_value_churn"]);
/** Triggers that enroll customers whose card is about to expire, before any payment fails. */
export const EXPIRY_TRIGGERS: ReadonlySet<CampaignTrigger> = new Set(["card_expiring", "pre_dunning"]);

export const CUSTOMER_SEGMENTS = ["new", "established", "high_value", "repeat_failure"] as const;
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number];

/** A customer is "new" for this long after their first payment (or first sight). */
export const NEW_CUSTOMER_DAYS = 60;
/** Another failed payment of the customer's this recently makes this one a repeated failure. */
export const REPEAT_FAILURE_DAYS = 90;
/** A failed payment of at least this many major units (100.00 USD, 100 EUR, ¥100 00…) is high value. */
export const HIGH_VALUE_MAJOR_UNITS = 100;

const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, { error: "Use an ISO 4217 code such as usd." })
  .transform((c) => c.toLowerCase());
const amount = z.number().int().min(0).max(1_000_000_000_00);
const shortList = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(50);

export const CampaignFiltersSchema = z
  .object({
    min_amount_cents: amount.optional().describe("Failed amount at least this, in minor units."),
    max_amount_cents: amount.optional().describe("Failed amount at most this, in minor units."),
    currencies: shortList(currencyCode).optional(),
    decline_categories: shortList(z.enum(DECLINE_CATEGORIES)).optional(),
    decline_codes: shortList(z.string().trim().min(1).max(100)).optional().describe("Provider decline codes, such as insufficient_funds."),
    psps: shortList(z.string().trim().min(1).max(40)).optional().describe("Providers: stripe, shopify, braintree, adyen, …"),
    customer_segments: shortList(z.enum(CUSTOMER_SEGMENTS)).optional(),
    plans: shortList(z.string().trim().min(1).max(200)).optional().describe("Plan or price ids (Stripe price, ingested metadata.plan)."),
  })
  .strict()
  .refine((f) => f.min_amount_cents === undefined || f.max_amount_cents === undefined || f.min_amount_cents <= f.max_amount_cents, {
    error: "min_amount_cents is above max_amount_cents: no payment could match.",
    path: ["min_amount_cents"],
  });
export type CampaignFilters = z.infer<typeof CampaignFiltersSchema>;

/** What a campaign's trigger and filters are checked against: one failed payment, as the engine knows it when its recovery opens. */
export interface EnrollmentFacts {
  provider: string;
  amountMinor: number;
  currency: string;
  category: DeclineCategory;
  subcategory: DeclineSubcategory;
  /** The code the catalogue matched, else the raw one. */
  declineCode: string | null;
  planId: string | null;
  /** The customer's other failed payments in the last REPEAT_FAILURE_DAYS. */
  priorFailures: number;
  /** The customer's first payment (or first sight), if known. */
  customerSince: Date | null;
  failedAt: Date;
}

export interface CampaignCandidate {
  id: string;
  name: string;
  status: string;
  trigger: string;
  filters: CampaignFilters;
  priority: number;
  updatedAt: Date;
  stepCount: number;
}

/** The segments a failed payment's customer falls in (several may hold). */
export function segmentsOf(f: EnrollmentFacts): CustomerSegment[] {
  const out: CustomerSegment[] = [];
  const isNew = f.customerSince === null || f.failedAt.getTime() - f.customerSince.getTime() < NEW_CUSTOMER_DAYS * 86_400_000;
  out.push(isNew ? "new" : "established");
  if (f.amountMinor >= HIGH_VALUE_MAJOR_UNITS * 10 ** currencyExponent(f.currency)) out.push("high_value");
  if (f.priorFailures > 0) out.push("repeat_failure");
  return out;
}

function triggerMatches(trigger: string, f: EnrollmentFacts): boolean {
  switch (trigger as CampaignTrigger) {
    case "payment_failed":
    case "any_decline":
      return true;
    case "soft_decline":
      return f.category === "soft_retry";
    case "card_expired":
      return f.subcategory === "expired_card";
    case "repeated_failure":
      return f.priorFailures > 0;
    case "high_value_churn":
      return segmentsOf(f).includes("high_value");
    default:
      return false;
  }
}

const lower = (s: string) => s.toLowerCase();

/** Why the filters refuse this payment (the first filter that does), or null when they accept it. */
export function filterMiss(filters: CampaignFilters, f: EnrollmentFacts): string | null {
  if (filters.min_amount_cents !== undefined && f.amountMinor < filters.min_amount_cents) return "min_amount_cents";
  if (filters.max_amount_cents !== undefined && f.amountMinor > filters.max_amount_cents) return "max_amount_cents";
  if (filters.currencies && !filters.currencies.includes(lower(f.currency))) return "currencies";
  if (filters.decline_categories && !filters.decline_categories.includes(f.category)) return "decline_categories";
  if (filters.decline_codes && !(f.declineCode && filters.decline_codes.map(lower).includes(lower(f.declineCode)))) return "decline_codes";
  if (filters.psps && !filters.psps.map(lower).includes(lower(f.provider))) return "psps";
  if (filters.customer_segments && !segmentsOf(f).some((s) => filters.customer_segments!.includes(s))) return "customer_segments";
  if (filters.plans && !(f.planId && filters.plans.includes(f.planId))) return "plans";
  return null;
}

/** Whether the campaign's trigger and filters claim this failed payment (its status aside). */
export function claims(campaign: Pick<CampaignCandidate, "trigger" | "filters">, f: EnrollmentFacts): boolean {
  return FAILURE_TRIGGERS.has(campaign.trigger as CampaignTrigger) && triggerMatches(campaign.trigger, f) && filterMiss(campaign.filters, f) === null;
}

/** How narrow a campaign is: its trigger unless it takes every failure, and each filter it sets. */
export function specificity(c: Pick<CampaignCandidate, "trigger" | "filters">): number {
  const broad = c.trigger === "payment_failed" || c.trigger === "any_decline";
  return (broad ? 0 : 1) + Object.values(c.filters).filter((v) => v !== undefined).length;
}

/**
 * The precedence among campaigns that claim the same payment: the lower priority number first;
 * at equal priority the more specific one (a narrower trigger, more filters); then the one updated
 * last (what DunningDog's "the most recently enabled sequence is active" always meant).
 */
export function byPrecedence(a: CampaignCandidate, b: CampaignCandidate): number {
  return a.priority - b.priority || specificity(b) - specificity(a) || b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : -1);
}

/** In the merchant's words, why `winner` goes before `other`. */
export function precedenceReason(winner: CampaignCandidate, other: CampaignCandidate): string {
  if (winner.priority !== other.priority) return `priority ${winner.priority} is ahead of ${other.priority}`;
  if (specificity(winner) !== specificity(other)) return "same priority; it is the more specific campaign";
  return "same priority and specificity; it was updated more recently";
}

/** The active campaign with steps that enrolls this failed payment, or null (no campaign claims it). */
export function chooseCampaign<C extends CampaignCandidate>(campaigns: readonly C[], f: EnrollmentFacts): C | null {
  const eligible = campaigns.filter((c) => c.status === "active" && c.stepCount > 0 && claims(c, f));
  return eligible.sort(byPrecedence)[0] ?? null;
}

/** A campaign's filters as stored (JSON): anything unreadable counts as none, never as a crash. */
export function storedFilters(value: unknown): CampaignFilters {
  const parsed = CampaignFiltersSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}
