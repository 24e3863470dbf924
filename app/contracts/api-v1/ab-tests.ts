// LostChurn's email A/B test endpoints (62–64): shapes on the wire; the rules are
// app/domain/dunning/ab-tests.server.ts'.
import { z } from "zod";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

export { CreateAbTestSchema } from "~/domain/dunning/ab-tests.server";

const IntervalSchema = z.object({ low: z.number(), high: z.number() });

export const AbTestSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string(),
    step_position: z.number().int(),
    traffic_split: z.number(),
    status: z.string().describe("running, completed (a winner was promoted) or stopped."),
    winner: z.string().nullable(),
    variants: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        subject: z.string().nullable(),
        template_id: z.string().nullable(),
        share: z.number(),
        control: z.boolean(),
      }),
    ),
    created_at: z.iso.datetime(),
    evaluated_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "AbTest" });

const ResultsSchema = z.object({
  variants: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      control: z.boolean(),
      sent: z.number().int(),
      opened: z.number().int(),
      clicked: z.number().int(),
      converted: z.number().int().describe("Recovered after this email went out."),
      conversion_rate: z.number(),
      conversion_interval: IntervalSchema.describe("95 % Wilson interval."),
      vs_control: z
        .object({
          difference: IntervalSchema.extend({ estimate: z.number() }).describe("Conversion minus the control's, 95 % interval."),
          p_value: z.number().describe("Two-sided, pooled two-proportion z test."),
        })
        .nullable(),
    }),
  ),
  enough_data: z.boolean(),
  significance_level: z.number(),
  min_sent_per_variant: z.number().int(),
  winner: z.string().nullable(),
});

export const AbTestWithResultsSchema = AbTestSchema.extend({ results: ResultsSchema }).register(API_SCHEMA_NAMES, { id: "AbTestWithResults" });
export const AbTestEvaluationSchema = AbTestWithResultsSchema.extend({ promoted: z.boolean(), conclusion: z.string() }).register(API_SCHEMA_NAMES, {
  id: "AbTestEvaluation",
});
