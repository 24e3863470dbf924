// /api/v1 recoveries (LostChurn's shapes under our conventions): the wire schemas. A recovery's id is
// its payment's id (one Recovery row).
import { z } from "zod";
import { PageQuerySchema } from "./pagination.server";
import { NextActionSchema, text, TimelineEventSchema } from "./payments";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

export const RECOVERY_STATUSES = ["active", "paused", "recovered", "terminal"] as const;

export const ListRecoveriesQuerySchema = PageQuerySchema.extend({
  status: z.enum(RECOVERY_STATUSES).optional(),
  campaign_id: text(100).optional().describe("A dunning sequence id."),
});

export const RecoveryIdParamsSchema = z.object({ id: text(200) });

export const RecoverySchema = z
  .object({
    id: z.string(),
    payment_id: z.string().describe("The same row seen as a payment: equal to `id`."),
    customer_id: z.string().nullable(),
    campaign_id: z.string().nullable().describe("The dunning sequence it follows."),
    status: z.enum(RECOVERY_STATUSES),
    current_step: z.number().int().describe("Emails of the campaign sent so far."),
    total_steps: z.number().int(),
    amount_cents: z.number().int(),
    currency: z.string(),
    recovered_amount_cents: z.number().int().nullable(),
    next_action: NextActionSchema.nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    ended_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "Recovery" });

export const STEP_STATES = ["sent", "scheduled", "skipped", "failed", "paused"] as const;

export const RecoveryStepSchema = z
  .object({
    id: z.string().describe("The sequence step (usable as `template_id`)."),
    position: z.number().int(),
    delay_hours: z.number().int(),
    subject: z.string().describe("The step's subject template."),
    state: z.enum(STEP_STATES),
    at: z.iso.datetime().nullable().describe("Sent, or due (scheduled), or when it was skipped."),
    message_id: z.string().nullable(),
    reason: z.string().nullable().describe("Why it was skipped or failed."),
  })
  .register(API_SCHEMA_NAMES, { id: "RecoveryStep" });

export const RecoveryDetailSchema = RecoverySchema.extend({
  steps: z.array(RecoveryStepSchema),
  timeline: z.array(TimelineEventSchema),
}).register(API_SCHEMA_NAMES, { id: "RecoveryDetail" });

export const TriggerDunningBodySchema = z.object({
  template_id: text(100).optional().describe("A step of the workspace's sequences; default: the campaign's next email."),
  subject: text(200).optional().describe("Subject instead of the template's (placeholders allowed)."),
});

export const DunningSentSchema = z
  .object({
    sent: z.boolean().describe("Queued for delivery now."),
    recovery_id: z.string(),
    message_id: z.string(),
    template_id: z.string(),
    subject: z.string(),
    to_email: z.string(),
    queued_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "DunningSent" });
