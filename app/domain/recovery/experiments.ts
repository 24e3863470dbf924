// Who is held out and which experiment variant a failed payment follows (ADR 0072). Pure and
// deterministic per customer: the engine assigns when a recovery opens, the API's assignment
// lookup and the results read the same answer.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { RetrySettings } from "./policy";

export const EXPERIMENT_KINDS = ["retry_timing", "email_cadence", "campaign_choice"] as const;
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number];

/** A suggested standing holdout: 5 % of customers. Off (0) until the merchant sets it. */
export const SUGGESTED_HOLDOUT_BASIS_POINTS = 500;
/** At most a fifth of customers can be held out: beyond that the merchant gives up too much. */
export const MAX_HOLDOUT_BASIS_POINTS = 2000;

/** A number in [0, 1) fixed by (salt, subject): the same customer always lands in the same place. */
export function bucket(salt: string, subject: string): number {
  const digest = createHash("sha256").update(`${salt}\u0000${subject}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Whether this customer is in the workspace's standing holdout. */
export function inHoldout(basisPoints: number, workspaceId: string, customerKey: string): boolean {
  return basisPoints > 0 && bucket(`holdout:${workspaceId}`, customerKey) < basisPoints / 10_000;
}

export const RetryTimingParamsSchema = z
  .object({
    max_retries: z.number().int().min(0).max(8).optional().describe("Recoup's own retries per failed payment (network limits still apply)."),
    retry_window_days: z.number().int().min(1).max(60).optional(),
    preferred_local_hours: z.tuple([z.number().int().min(0).max(23), z.number().int().min(0).max(23)]).optional(),
    payday_aware: z.boolean().optional(),
  })
  .strict();
export const EmailCadenceParamsSchema = z
  .object({ delay_scale: z.number().min(0.25).max(4).describe("Every campaign step's delay is multiplied by this (1: as written).") })
  .strict();
export const CampaignChoiceParamsSchema = z.object({ campaign_id: z.string().min(1).max(100).describe("The campaign this variant's failures follow, when it is active.") }).strict();

export const PARAMS_BY_KIND = {
  retry_timing: RetryTimingParamsSchema,
  email_cadence: EmailCadenceParamsSchema,
  campaign_choice: CampaignChoiceParamsSchema,
} as const;

export interface VariantSpec {
  key: string;
  name: string;
  share: number;
  params: Record<string, unknown>;
}

/** The variant a customer gets: its place in [0, 1) against the variants' cumulative shares. */
export function assignVariant<V extends Pick<VariantSpec, "key" | "share">>(experimentId: string, variants: readonly V[], customerKey: string): V {
  const x = bucket(`experiment:${experimentId}`, customerKey);
  let edge = 0;
  for (const v of variants) {
    edge += v.share;
    if (x < edge) return v;
  }
  return variants[variants.length - 1]!;
}

/** What a recovery's variant changes, as stored on it (Recovery.experimentParams): each reader takes its part. */
export interface AppliedParams {
  kind: ExperimentKind;
  params: Record<string, unknown>;
}

export function appliedParams(value: unknown): AppliedParams | null {
  if (!value || typeof value !== "object") return null;
  const v = value as { kind?: unknown; params?: unknown };
  if (!EXPERIMENT_KINDS.includes(v.kind as ExperimentKind) || !v.params || typeof v.params !== "object") return null;
  return { kind: v.kind as ExperimentKind, params: v.params as Record<string, unknown> };
}

/** A retry-timing variant's settings laid over the workspace's. */
export function withRetryVariant(settings: RetrySettings, value: unknown): RetrySettings {
  const applied = appliedParams(value);
  if (applied?.kind !== "retry_timing") return settings;
  const p = RetryTimingParamsSchema.safeParse(applied.params);
  if (!p.success) return settings;
  return {
    ...settings,
    ...(p.data.max_retries !== undefined ? { maxRetries: p.data.max_retries } : {}),
    ...(p.data.retry_window_days !== undefined ? { retryWindowDays: p.data.retry_window_days } : {}),
    ...(p.data.preferred_local_hours !== undefined ? { preferredLocalHours: p.data.preferred_local_hours } : {}),
    ...(p.data.payday_aware !== undefined ? { paydayAware: p.data.payday_aware } : {}),
  };
}

/** An email-cadence variant's multiplier of step delays (1 otherwise). */
export function emailDelayScale(value: unknown): number {
  const applied = appliedParams(value);
  if (applied?.kind !== "email_cadence") return 1;
  const p = EmailCadenceParamsSchema.safeParse(applied.params);
  return p.success ? p.data.delay_scale : 1;
}

/** A campaign-choice variant's campaign (null otherwise). */
export function chosenCampaignId(value: unknown): string | null {
  const applied = appliedParams(value);
  if (applied?.kind !== "campaign_choice") return null;
  const p = CampaignChoiceParamsSchema.safeParse(applied.params);
  return p.success ? p.data.campaign_id : null;
}
