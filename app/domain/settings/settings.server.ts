// A workspace's settings: the retry policy within the card networks' limits, quiet hours and
// timezone, the sender of the dunning emails and the branding they and /recover pages wear.
import { MAX_HOLDOUT_BASIS_POINTS, SUGGESTED_HOLDOUT_BASIS_POINTS } from "~/domain/recovery/experiments";
import { z } from "zod";
import { accentColor, safeLogoUrl } from "~/utils/branding";
import { inHourRange, inQuietHours, retrySettingsFor, type RetrySettings } from "~/domain/recovery/policy";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { AppError } from "~/domain/errors";
import { db, type Prisma } from "~/utils/db.server";
import {
  QuietHoursSchema,
  RETRY_LIMITS,
  RetryPolicyPatchSchema,
  SenderAndBrandingSchema,
  TimezoneSchema,
  type RetryPolicyPatch,
  type SenderAndBranding,
} from "./schemas";

/** The keys a merchant may override; anything else found in the stored JSON is dropped on the next write. */
const OVERRIDABLE = ["maxRetries", "retryWindowDays", "preferredLocalHours", "paydayAware", "quietHours"] as const;
type Overrides = Partial<Pick<RetrySettings, (typeof OVERRIDABLE)[number]>>;

function storedOverrides(json: Prisma.JsonValue | null): Overrides {
  if (!json || typeof json !== "object" || Array.isArray(json)) return {};
  const stored = json as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  // fallbackTimezone is not kept: it is the workspace's timezone, so that changing one changes both.
  for (const key of OVERRIDABLE) if (key in stored) kept[key] = stored[key];
  return kept as Overrides;
}

/**
 * The policy ignores the preferred hours when quiet hours cover them all (it retries in any
 * hour that is not quiet): refuse the combination rather than let a setting silently not apply.
 */
function assertRetryHoursLeft(workspace: Parameters<typeof retrySettingsFor>[0], field: "preferredLocalHours" | "quietHours") {
  const { preferredLocalHours: [start, end], quietHours: quiet } = retrySettingsFor(workspace);
  if (!quiet) return;
  for (let h = 0; h < 24; h++) if (inHourRange(h, start, end) && !inQuietHours(h, quiet)) return;
  const message = `Quiet hours (${quiet.start}:00 to ${quiet.end}:00) cover all of the retry hours (${start}:00 to ${end}:00): leave at least one retry hour outside them.`;
  throw new AppError("validation_failed", message, { errors: [{ path: field, message }] });
}

export async function getWorkspaceSettings(workspaceId: string) {
  const workspace = await getWorkspace(workspaceId);
  return {
    workspaceId,
    name: workspace.name,
    timezone: workspace.timezone,
    retry: {
      /** What the merchant has set; everything else is Recoup's default. */
      overrides: storedOverrides(workspace.retrySettings),
      /** What the engine uses now (retrySettingsFor). */
      effective: retrySettingsFor(workspace),
      limits: RETRY_LIMITS,
    },
    sender: { senderName: workspace.senderName, replyTo: workspace.replyTo, defaultName: workspace.name },
    branding: {
      brandColor: workspace.brandColor,
      logoUrl: workspace.logoUrl,
      /** The colour emails and /recover pages use (the default when none is set). */
      accent: accentColor(workspace.brandColor),
      effectiveLogoUrl: safeLogoUrl(workspace.logoUrl),
    },
    /** The standing holdout (ADR 0072): a share of customers left to the platform, to measure what Recoup adds. */
    holdout: {
      percent: workspace.holdoutBasisPoints / 100,
      suggestedPercent: SUGGESTED_HOLDOUT_BASIS_POINTS / 100,
      maxPercent: MAX_HOLDOUT_BASIS_POINTS / 100,
    },
  };
}

export type WorkspaceSettings = Awaited<ReturnType<typeof getWorkspaceSettings>>;

/**
 * Changes the retry policy: the fields in `patch` replace the workspace's overrides, which
 * retrySettingsFor() lays over Recoup's defaults. Every value is checked against RETRY_LIMITS.
 */
export async function updateRetryPolicy(input: { workspaceId: string; patch: RetryPolicyPatch }) {
  const patch = RetryPolicyPatchSchema.parse(input.patch);
  const workspace = await getWorkspace(input.workspaceId);
  const overrides: Overrides = { ...storedOverrides(workspace.retrySettings) };
  for (const key of OVERRIDABLE) if (patch[key] !== undefined) Object.assign(overrides, { [key]: patch[key] });
  assertRetryHoursLeft({ ...workspace, retrySettings: overrides as Prisma.JsonObject }, "preferredLocalHours");
  await db().workspace.update({ where: { id: workspace.id }, data: { retrySettings: overrides as Prisma.InputJsonObject } });
  return getWorkspaceSettings(workspace.id);
}

/** The workspace's timezone: the dashboard's dates, and retry hours for customers whose own zone is unknown. */
export async function updateTimezone(input: { workspaceId: string; timezone: string }) {
  const timezone = TimezoneSchema.parse(input.timezone);
  await getWorkspace(input.workspaceId);
  await db().workspace.update({ where: { id: input.workspaceId }, data: { timezone } });
  return getWorkspaceSettings(input.workspaceId);
}

/** Quiet hours (null: none) and the timezone they are read in when the customer's is unknown, together. */
export async function updateQuietHours(input: { workspaceId: string; quietHours: { start: number; end: number } | null; timezone: string }) {
  const parsed = z.object({ quietHours: QuietHoursSchema.nullable(), timezone: TimezoneSchema }).parse(input);
  const workspace = await getWorkspace(input.workspaceId);
  const overrides: Overrides = { ...storedOverrides(workspace.retrySettings), quietHours: parsed.quietHours };
  assertRetryHoursLeft({ ...workspace, retrySettings: overrides as Prisma.JsonObject }, "quietHours");
  await db().workspace.update({
    where: { id: workspace.id },
    data: { timezone: parsed.timezone, retrySettings: overrides as Prisma.InputJsonObject },
  });
  return getWorkspaceSettings(workspace.id);
}

/** Sender name, reply-to address, brand colour and logo: a field left undefined is unchanged, null clears it. */
export async function updateSenderAndBranding(input: { workspaceId: string } & SenderAndBranding) {
  const { workspaceId, ...fields } = input;
  const parsed = SenderAndBrandingSchema.parse(fields);
  await getWorkspace(workspaceId);
  await db().workspace.update({ where: { id: workspaceId }, data: parsed });
  return getWorkspaceSettings(workspaceId);
}
