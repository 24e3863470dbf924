import { z } from "zod";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";
import { MAX_ADDRESS_LENGTH, SUPPRESSION_REASONS, SUPPRESSION_SOURCES } from "./policy";

export const SuppressionSchema = z
  .object({
    id: z.string(),
    email: z.string().describe("Lower case, trimmed."),
    reason: z.enum(SUPPRESSION_REASONS),
    source: z.enum(SUPPRESSION_SOURCES).describe("Where it came from: Recoup's own SMTP sends, a provider's webhook, the List-Unsubscribe link, or the API."),
    detail: z.string().nullable().describe("The provider's diagnostic (an SMTP reply, a bounce description)."),
    active: z.boolean().describe("False once lifted: mail may go to the address again."),
    created_at: z.iso.datetime(),
    lifted_at: z.iso.datetime().nullable(),
    lifted_by: z.string().nullable().describe("Who lifted it: `api_key:<id>` for this API."),
  })
  .register(API_SCHEMA_NAMES, { id: "EmailSuppression" });

export const SuppressionStatsSchema = z
  .object({
    total: z.number().int(),
    active: z.number().int(),
    lifted: z.number().int(),
    recent: z.object({ days: z.number().int(), total: z.number().int() }).describe("Suppressions made in the last `days` (30) days, lifted since or not."),
    by_reason: z.array(z.object({ reason: z.enum(SUPPRESSION_REASONS), count: z.number().int() })).describe("Active suppressions by reason, every reason listed."),
    by_source: z.array(z.object({ source: z.enum(SUPPRESSION_SOURCES), count: z.number().int() })).describe("Active suppressions by source, every source listed."),
  })
  .register(API_SCHEMA_NAMES, { id: "EmailSuppressionStats" });

export const ListSuppressionsQuerySchema = z.object({
  search: z.string().trim().min(1).max(MAX_ADDRESS_LENGTH).optional().describe("Part of the address, any case."),
  reason: z.enum(SUPPRESSION_REASONS).optional(),
  active_only: z.enum(["true", "false"]).optional().describe("`false` lists lifted suppressions too (default `true`)."),
});

export const SuppressionEmailParamsSchema = z.object({
  email: z
    .string()
    .max(MAX_ADDRESS_LENGTH)
    .trim()
    .min(3)
    .regex(/^[^\s@]+@[^\s@]+$/, "an email address"),
});
