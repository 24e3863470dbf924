// LostChurn's experiment endpoints (65–70) and Recoup's standing holdout: shapes on the wire. The
// rules are app/domain/experiments' (and app/domain/recovery/experiments.ts for assignment).
import { z } from "zod";
import { EXPERIMENT_KINDS } from "~/domain/recovery/experiments";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

import { EXPERIMENT_STATUSES } from "~/domain/experiments/experiments.server";
export { CreateExperimentSchema } from "~/domain/experiments/experiments.server";

const IntervalSchema = z.object({ low: z.number(), high: z.number() });
const EstimateSchema = IntervalSchema.extend({ estimate: z.number() });

export const ExperimentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(EXPERIMENT_KINDS).describe("retry_timing (retry settings), email_cadence (step delays scaled) or campaign_choice (which campaign)."),
    status: z.enum(EXPERIMENT_STATUSES),
    variants: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        share: z.number().describe("Share of new failures (by customer) it gets."),
        params: z.record(z.string(), z.unknown()),
        control: z.boolean().describe("The first variant: what the workspace does today."),
      }),
    ),
    winner: z.string().nullable(),
    started_at: z.iso.datetime(),
    ended_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "Experiment" });

export const PromotedExperimentSchema = ExperimentSchema.extend({ applied: z.string().describe("What changed in the workspace's settings or campaigns.") }).register(
  API_SCHEMA_NAMES,
  { id: "PromotedExperiment" },
);

const GroupSchema = z.object({
  failures: z.number().int(),
  recovered: z.number().int(),
  recovered_share: z.number(),
  recovered_share_interval: IntervalSchema.describe("95 % Wilson interval."),
  recovered_amount_cents: z.number().int().describe("In `currency` only."),
  recovered_per_failure_cents: EstimateSchema.describe("Mean recovered per failure in `currency`, 95 % interval."),
});

export const ExperimentResultsSchema = z
  .object({
    experiment_id: z.string(),
    status: z.string(),
    currency: z.string().describe("Amounts compare the failures in this currency (the experiment's most common)."),
    confidence: z.number(),
    variants: z.array(
      GroupSchema.extend({
        key: z.string(),
        name: z.string(),
        control: z.boolean(),
        vs_control: z
          .object({
            recovered_share_difference: EstimateSchema.describe("Variant minus control, 95 % Newcombe interval."),
            recovered_per_failure_difference_cents: EstimateSchema,
          })
          .nullable(),
      }),
    ),
    winner: z.string().nullable(),
    conclusion: z.string(),
  })
  .register(API_SCHEMA_NAMES, { id: "ExperimentResults" });

export const AssignmentSchema = z
  .object({
    customer_id: z.string().describe("The PSP's customer id the assignment is keyed by."),
    holdout: z.boolean().describe("In the standing holdout: Recoup does nothing for this customer's failures."),
    experiment_id: z.string().nullable(),
    experiment_status: z.string().nullable(),
    variant: z.string().nullable(),
    variant_name: z.string().nullable(),
    known: z.boolean().describe("Recoup has seen this customer (a failed payment)."),
  })
  .register(API_SCHEMA_NAMES, { id: "ExperimentAssignment" });

export const HoldoutSettingsSchema = z
  .object({
    share: z.number(),
    enabled: z.boolean(),
    suggested_share: z.number(),
    max_share: z.number(),
  })
  .register(API_SCHEMA_NAMES, { id: "HoldoutSettings" });

export const IncrementalSchema = z
  .object({
    days: z.number().int(),
    currency: z.string(),
    holdout: HoldoutSettingsSchema,
    treated: GroupSchema,
    held_out: GroupSchema,
    incremental_share: EstimateSchema.describe("Recovered share with Recoup minus without, 95 % interval."),
    incremental_per_failure_cents: EstimateSchema,
    recovered_because_of_recoup_cents: EstimateSchema.describe("The per-failure difference times the failures Recoup worked on."),
    enough_data: z.boolean(),
    note: z.string(),
  })
  .register(API_SCHEMA_NAMES, { id: "IncrementalRecovery" });
