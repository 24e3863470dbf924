// LostChurn's campaign endpoints (19–28): request and response shapes. The rules are the campaign
// domain's (app/domain/campaigns); this file only spells them on the wire.
import { z } from "zod";
import { CampaignStepInputSchema, MAX_STEPS } from "~/domain/campaigns/campaigns.server";
import { CAMPAIGN_STATUSES, CAMPAIGN_TRIGGERS, CampaignFiltersSchema, type CampaignFilters } from "~/domain/campaigns/model";
import { AppError } from "~/domain/errors";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

const TriggerSchema = z.enum(CAMPAIGN_TRIGGERS).describe(`When a campaign enrolls: ${CAMPAIGN_TRIGGERS.join(", ")}.`);

/** LostChurn's `filters_json`: a JSON string (an object is taken too), checked field by field. */
const FiltersJsonSchema = z
  .union([z.string().max(20_000), z.record(z.string(), z.unknown())])
  .describe(
    "JSON object of filters: min_amount_cents, max_amount_cents, currencies[], decline_categories[] (soft_retry, hard_customer, terminal, unknown), decline_codes[], psps[], customer_segments[] (new, established, high_value, repeat_failure), plans[].",
  );

/** Parses `filters_json` into the domain's filters, or a 400 that names the field at fault. */
export function parseFilters(value: string | Record<string, unknown> | undefined): CampaignFilters {
  if (value === undefined) return {};
  let raw: unknown = value;
  if (typeof value === "string") {
    if (value.trim() === "") return {};
    try {
      raw = JSON.parse(value);
    } catch {
      throw new AppError("validation_failed", "filters_json is not valid JSON.", { errors: [{ path: "filters_json", message: "Not valid JSON." }] });
    }
  }
  const parsed = CampaignFiltersSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: ["filters_json", ...i.path].join("."), message: i.message }));
    throw new AppError("validation_failed", `filters_json: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { errors });
  }
  return parsed.data;
}

const NameSchema = z.string().trim().min(1).max(200);
const PrioritySchema = z.number().int().min(0).max(10_000).describe("Precedence among active campaigns claiming the same payment: lower wins (default 100).");

export const CreateCampaignSchema = z.object({
  name: NameSchema,
  trigger: TriggerSchema.default("payment_failed"),
  steps: z.array(CampaignStepInputSchema.omit({ id: true })).min(1).max(MAX_STEPS),
  filters_json: FiltersJsonSchema.optional(),
  priority: PrioritySchema.optional(),
});

export const UpdateCampaignSchema = z.object({
  name: NameSchema.optional(),
  trigger: TriggerSchema.optional(),
  filters_json: FiltersJsonSchema.optional(),
  priority: PrioritySchema.optional(),
  steps: z.array(CampaignStepInputSchema).min(1).max(MAX_STEPS).optional().describe("The whole new list, in order: a step with an id is kept, one without is added, the rest removed."),
});

export const ListCampaignsQuerySchema = z.object({
  status: z.enum(CAMPAIGN_STATUSES).optional(),
  trigger: TriggerSchema.optional(),
  search: z.string().trim().min(1).max(200).optional().describe("Part of the name, any case."),
});

export const CampaignIdParamsSchema = z.object({ id: z.string().min(1).max(100) });

const FiltersSchema = CampaignFiltersSchema.describe("The filters, as an object.");

const StepSchema = z.object({
  id: z.string(),
  position: z.number().int().min(1),
  channel: z.string().describe("email (sms and in_app are reserved)."),
  delay_hours: z.number().int(),
  subject_template: z.string(),
  body_template: z.string(),
});

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    trigger: z.string(),
    filters: FiltersSchema,
    filters_json: z.string().describe("The same filters as a JSON string (LostChurn's field)."),
    priority: z.number().int(),
    template_id: z.string().nullable(),
    steps: z.array(StepSchema),
    total_steps: z.number().int(),
    results: z.object({
      enrolled: z.number().int().describe("Recoveries ever enrolled."),
      running: z.number().int().describe("Enrolled, still open and not finished."),
      recovered: z.number().int(),
      recovery_rate: z.number().describe("recovered / enrolled, 0–1."),
      recovered_amount_cents: z.number().int().describe("Recovered, in minor units (summed across currencies: see the recoveries for each)."),
    }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    activated_at: z.iso.datetime().nullable(),
    ended_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "Campaign" });

export const CampaignTemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    trigger: z.string(),
    filters: FiltersSchema,
    filters_json: z.string(),
    steps: z.array(StepSchema.omit({ id: true })),
    total_steps: z.number().int(),
  })
  .register(API_SCHEMA_NAMES, { id: "CampaignTemplate" });

export const FromTemplateSchema = z.object({
  template_id: z.string().trim().min(1).max(100),
  name: NameSchema.optional(),
});

const LookbackSchema = z.number().int().min(1).max(365);

export const OverlapRequestSchema = z.object({
  trigger: TriggerSchema,
  filters_json: FiltersJsonSchema.optional(),
  exclude_campaign_id: z.string().min(1).max(100).optional(),
  priority: PrioritySchema.optional(),
  lookback_days: LookbackSchema.default(90).describe("Days of failed payments checked (default 90)."),
});

const OverlapItemSchema = z.object({
  campaign_id: z.string(),
  name: z.string(),
  priority: z.number().int(),
  trigger: z.string(),
  shared_failures: z.number().int().describe("Failed payments in the window both campaigns claim."),
  winner: z.enum(["this_campaign", "existing_campaign"]),
  reason: z.string(),
});

export const OverlapResultSchema = z
  .object({
    overlaps: z.boolean(),
    lookback_days: z.number().int(),
    failures_checked: z.number().int(),
    would_claim: z.number().int(),
    would_win: z.number().int().describe("Of those, the ones this campaign would enroll (no active campaign ahead of it claims them)."),
    campaigns: z.array(OverlapItemSchema),
    precedence: z.string(),
  })
  .register(API_SCHEMA_NAMES, { id: "CampaignOverlap" });

export const SimulateRequestSchema = z.object({
  trigger: TriggerSchema,
  filters_json: FiltersJsonSchema.optional(),
  lookback_days: LookbackSchema.default(30),
  campaign_id: z.string().min(1).max(100).optional().describe("Simulate this campaign's steps (and leave it out of the others)."),
  priority: PrioritySchema.optional(),
  steps: z.array(z.object({ delay_hours: z.number().int().min(0).max(24 * 365) })).min(1).max(MAX_STEPS).optional().describe("Step delays to simulate; default: the campaign's, else the standard template's."),
});

export const SimulationSchema = z
  .object({
    lookback_days: z.number().int(),
    failures_considered: z.number().int(),
    would_enroll: z.number().int(),
    claimed_by_other_campaigns: z.number().int().describe("Matched the trigger and filters, but an active campaign ahead in precedence claims them."),
    emails_sent: z.number().int(),
    steps_source: z.enum(["campaign", "request", "standard_template"]),
    by_step: z.array(
      z.object({
        position: z.number().int(),
        emails_sent: z.number().int(),
        not_sent: z.number().int().describe("Planned out: the customer must not be chased, or had their three emails."),
        still_scheduled: z.number().int().describe("Due after today."),
        recoveries_after: z.number().int().describe("Recovered with this as the last email sent before."),
      }),
    ),
    recovered_before_first_email: z.number().int(),
    expected_recoveries: z.number().int(),
    expected_recovery_rate: z.number(),
    recovered_amounts: z.array(z.object({ currency: z.string(), amount_cents: z.number().int() })),
    overlaps: z.array(OverlapItemSchema),
  })
  .register(API_SCHEMA_NAMES, { id: "CampaignSimulation" });
