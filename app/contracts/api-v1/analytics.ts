// LostChurn's analytics endpoints (seed 002, "Analytics"; ADR 0078): the query and response schemas.
// Documented fields exactly as the reference shows them; Recoup's additions beside them (counts next
// to every rate, `low_volume` and `rate_interval` under 30 events, other currencies, time zone and
// freshness).
import { z } from "zod";
import { DECLINE_CATEGORIES } from "~/domain/recovery/decline-codes";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";
import { CursorPageQuerySchema, PageQuerySchema } from "./pagination.server";

const date = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "Use a date as YYYY-MM-DD." })
    .optional()
    .describe(`${what} (YYYY-MM-DD, a local day in the workspace's time zone).`);

export const RangeQuerySchema = z.object({
  start_date: date("First day, default 30 days before end_date"),
  end_date: date("Last day, included, default today"),
});

export const GROUP_BYS = ["hour", "day", "week", "month"] as const;
const groupBy = z.enum(GROUP_BYS).default("day").describe("Series period: hour, day (default), week or month.");
const psp = z.string().trim().min(1).max(50).optional().describe("Only this PSP (provider), e.g. stripe.");
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, { error: "Use an ISO 4217 code such as usd." })
  .transform((c) => c.toLowerCase())
  .optional()
  .describe("ISO 4217 code: the currency of money figures (default the workspace's reporting currency, else usd); named, it also filters counts.");

export const RecoveryAnalyticsQuerySchema = RangeQuerySchema.extend({
  group_by: groupBy,
  psp,
  decline_category: z.enum(DECLINE_CATEGORIES).optional().describe("Only this decline category."),
  currency,
});
export const RevenueQuerySchema = RangeQuerySchema.extend({ currency });
export const AtRiskQuerySchema = z.object({ currency });
export const DeclineCodesQuerySchema = RangeQuerySchema.extend({ psp });
export const BREAKDOWN_SEGMENTS = ["decline_category", "psp", "campaign", "decline_code"] as const;
export const BreakdownQuerySchema = RangeQuerySchema.extend({
  group_by: groupBy,
  segment_by: z.enum(BREAKDOWN_SEGMENTS).default("decline_category").describe("decline_category (default), psp, campaign or decline_code."),
  currency,
});
export const CampaignAnalyticsQuerySchema = CursorPageQuerySchema;

const rate = z.number().nullable();
const interval = z.tuple([z.number(), z.number()]).nullable().describe("Wilson 95 % interval of the rate, given when it stands on fewer than 30 payments.");

const CategoryFigureSchema = z.object({
  count: z.number().int(),
  recovered: z.number().int(),
  terminal: z.number().int(),
  active: z.number().int(),
  rate,
  low_volume: z.boolean(),
  rate_interval: interval,
  label: z.string(),
});

export const RecoveryAnalyticsSchema = z
  .object({
    summary: z.object({
      total_failed: z.number().int(),
      total_recovered: z.number().int(),
      total_terminal: z.number().int(),
      total_active: z.number().int(),
      recovery_rate: z.number(),
      low_volume: z.boolean(),
      rate_interval: interval,
    }),
    by_category: z.record(z.string(), CategoryFigureSchema),
    series: z.array(z.object({ period: z.string(), failed: z.number().int(), recovered: z.number().int(), terminal: z.number().int(), active: z.number().int() })),
    meta: z.object({
      start_date: z.string(),
      end_date: z.string(),
      group_by: z.enum(GROUP_BYS),
      timezone: z.string(),
      as_of: z.iso.datetime(),
      currency: z.string().nullable(),
    }),
  })
  .register(API_SCHEMA_NAMES, { id: "RecoveryAnalytics" });

const period = z.object({ start_date: z.string(), end_date: z.string() });

export const RevenueAnalyticsSchema = z
  .object({
    revenue_recovered: z.number().int(),
    revenue_at_risk: z.number().int(),
    revenue_failed: z.number().int(),
    payments_recovered: z.number().int(),
    payments_failed: z.number().int(),
    payments_active: z.number().int(),
    recovery_rate: rate,
    low_volume: z.boolean(),
    currency: z.string(),
    period,
    other_currencies: z.array(
      z.object({ currency: z.string(), revenue_recovered: z.number().int(), revenue_at_risk: z.number().int(), revenue_failed: z.number().int(), payments_recovered: z.number().int(), payments_failed: z.number().int() }),
    ),
    timezone: z.string(),
    as_of: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "RevenueAnalytics" });

export const AtRiskAnalyticsSchema = z
  .object({
    revenue_at_risk: z.number().int(),
    payments_at_risk: z.number().int(),
    currency: z.string(),
    by_category: z.record(z.string(), z.object({ payments: z.number().int(), revenue_at_risk: z.number().int() })),
    other_currencies: z.array(z.object({ currency: z.string(), revenue_at_risk: z.number().int(), payments_at_risk: z.number().int() })),
    as_of: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "AtRiskAnalytics" });

export const DeclineCodeAnalyticsSchema = z
  .object({
    total_failed: z.number().int(),
    codes: z.array(
      z.object({
        code: z.string().nullable(),
        description: z.string().nullable(),
        category: z.string(),
        count: z.number().int(),
        share: z.number(),
        recovered: z.number().int(),
        recovery_rate: rate,
        low_volume: z.boolean(),
      }),
    ),
    period,
    timezone: z.string(),
    as_of: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "DeclineCodeAnalytics" });

const SegmentFigures = {
  key: z.string(),
  label: z.string(),
  failed: z.number().int(),
  recovered: z.number().int(),
  failed_minor: z.number().int(),
  recovered_minor: z.number().int(),
};

export const RecoveryBreakdownSchema = z
  .object({
    timezone: z.string(),
    currency: z.string(),
    as_of: z.iso.datetime(),
    group_by: z.enum(GROUP_BYS),
    segment_by: z.enum(BREAKDOWN_SEGMENTS),
    series: z.array(z.object({ period: z.string(), segments: z.array(z.object({ ...SegmentFigures, terminal: z.number().int() })) })),
    totals: z.array(z.object({ ...SegmentFigures, rate })),
  })
  .register(API_SCHEMA_NAMES, { id: "RecoveryBreakdown" });

export const CampaignAnalyticsSchema = z
  .object({
    campaign_id: z.string(),
    name: z.string(),
    status: z.string(),
    sessions: z.number().int().describe("Recoveries enrolled in the campaign."),
    payments: z.number().int(),
    recovered: z.number().int(),
    terminal: z.number().int(),
    active: z.number().int(),
    recovery_rate: rate,
    low_volume: z.boolean(),
    rate_interval: interval,
    revenue_recovered: z.number().int(),
    currency: z.string(),
    created_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "CampaignAnalytics" });

// ---- at-risk customers and their quick-enroll (LostChurn 39, 40) ----

export const AT_RISK_COHORTS = ["all", "expiring_card", "repeat_failure", "high_value"] as const;
export const AtRiskCustomersQuerySchema = PageQuerySchema.pick({ page: true, per_page: true }).extend({
  cohort: z
    .enum(AT_RISK_COHORTS)
    .default("all")
    .describe(
      "all (default): customers with an open recovery or a card expiring within 30 days; expiring_card: a card expiring within 30 days (or expired in the last year), or an open recovery declined for an expired card; repeat_failure: 2 or more failed payments in the last 90 days; high_value: an open amount of at least 500 units of one currency (500.00 usd).",
    ),
});

export const AtRiskCustomerSchema = z
  .object({
    customer_id: z.string().describe("Recoup's customer id (also the `{id}` of the enroll endpoint)."),
    email: z.string().nullable(),
    name: z.string().nullable(),
    cohorts: z.array(z.enum(["expiring_card", "repeat_failure", "high_value"])).describe("Every cohort the customer is in."),
    open_amounts: z.array(z.object({ currency: z.string(), amount: z.number().int().describe("Minor units.") })).describe("Amount due on open recoveries, per currency, never converted."),
    open_recoveries: z.number().int(),
    last_failure_at: z.iso.datetime().nullable(),
    card_expiring: z.boolean().describe("A card of theirs expires within 30 days (or has expired)."),
  })
  .register(API_SCHEMA_NAMES, { id: "AtRiskCustomer" });

export const AtRiskCustomerIdParamsSchema = z.object({ id: z.string().min(1).max(200).describe("Recoup's customer id, or the PSP's (`cus_…`).") });
export const EnrollAtRiskBodySchema = z.object({ campaign_id: z.string().min(1).max(100).describe("The active campaign to enroll the customer's open recoveries in.") });
export const AtRiskEnrollmentSchema = z
  .object({
    customer_id: z.string(),
    campaign_id: z.string(),
    campaign_name: z.string(),
    enrolled: z.array(z.string()).describe("Open recoveries now following the campaign (their previous campaign's emails stop)."),
    already_enrolled: z.array(z.string()).describe("Open recoveries that were following it already."),
    skipped: z.array(z.object({ recovery_id: z.string(), reason: z.enum(["held_out", "closed"]) })).describe("Held out of Recoup's emails (an experiment's holdout), or closed meanwhile."),
  })
  .register(API_SCHEMA_NAMES, { id: "AtRiskEnrollment" });

// ---- email health and engagement (LostChurn 41, 42) ----

export const EmailHealthQuerySchema = RangeQuerySchema.extend({ group_by: groupBy });
export const EmailEngagementQuerySchema = RangeQuerySchema.extend({
  campaign_id: z.string().min(1).max(100).optional().describe("Only this campaign's emails."),
});

const emailRate = z
  .object({ rate: z.number().nullable(), low_volume: z.boolean(), interval: interval })
  .describe("Share of the emails (4 decimals; null with none); low_volume and a Wilson 95 % interval under 30 emails.");
const flags = z.array(z.enum(["bounce_rate_high", "complaint_rate_high"])).describe("Above the industry bars: bounce rate > 2 %, complaint rate > 0.1 %.");
const deliverability = {
  sent: z.number().int(),
  delivered: z.number().int(),
  bounced: z.number().int(),
  complained: z.number().int(),
  delivery_rate: emailRate,
  bounce_rate: emailRate,
  complaint_rate: emailRate,
};

export const EmailHealthSchema = z
  .object({
    ...deliverability,
    flags,
    thresholds: z.object({ bounce_rate: z.number(), complaint_rate: z.number() }),
    suppressed_addresses: z.number().int().describe("Addresses no email goes to now (hard bounces, complaints, unsubscribes, manual)."),
    series: z.array(
      z.object({
        period: z.string(),
        sent: z.number().int(),
        delivered: z.number().int(),
        bounced: z.number().int(),
        complained: z.number().int(),
        bounce_rate: z.number().nullable(),
        complaint_rate: z.number().nullable(),
      }),
    ),
    domains: z
      .array(z.object({ domain: z.string(), ...deliverability, suppressed: z.number().int(), flags }))
      .describe("Per recipient domain, most mailed first: the reputation signals Recoup can see."),
    meta: z.object({ start_date: z.string(), end_date: z.string(), group_by: z.enum(GROUP_BYS), timezone: z.string(), as_of: z.iso.datetime() }),
  })
  .register(API_SCHEMA_NAMES, { id: "EmailHealth" });

const engagement = {
  sent: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  unsubscribed: z.number().int(),
  open_rate: emailRate,
  click_rate: emailRate,
  unsubscribe_rate: emailRate,
};

export const EmailEngagementSchema = z
  .object({
    ...engagement,
    campaign_id: z.string().nullable(),
    campaigns: z.array(z.object({ campaign_id: z.string().nullable(), name: z.string().nullable(), ...engagement })),
    meta: z.object({ start_date: z.string(), end_date: z.string(), timezone: z.string(), as_of: z.iso.datetime() }),
  })
  .register(API_SCHEMA_NAMES, { id: "EmailEngagement" });
