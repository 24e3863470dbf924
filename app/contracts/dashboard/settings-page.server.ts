import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { ACCESS_TOKEN_HOURS, mintAccessToken } from "~/domain/auth/access-tokens.server";
import { z } from "zod";
import { setHoldout } from "~/domain/experiments/experiments.server";
import { API_KEY_SCOPES, createApiKey, listApiKeys, parseScopes, revokeApiKey, rotateApiKey, ROTATION_GRACE_HOURS, type ApiKeyView } from "~/domain/auth/api-keys.server";
import { disconnectFromDashboard, listConnectedAccounts, missingConnectSettings } from "~/providers/stripe/connect.server";
import type { RetryPolicyPatch, SenderAndBranding } from "~/domain/settings/schemas";
import { learningSummary } from "~/domain/recovery/learning.server";
import { getWorkspaceSettings, updateQuietHours, updateRetryPolicy, updateSenderAndBranding, type WorkspaceSettings } from "~/domain/settings/settings.server";
import { can, refusalMessage, type Permission } from "~/domain/access/roles";
import { changeMemberRole, inviteMember, listMembers, removeMember } from "~/domain/team/team.server";
import { readJson } from "~/http/body.server";
import { actionFailure, requirePermission, type Actor, type DashboardSession, type ShopifyStaff } from "~/contracts/dashboard/dashboard-session.server";
import { env } from "~/utils/env.server";
import { AppError } from "~/domain/errors";
import { getRecoveryGoal, setRecoveryGoal, GOAL_PERIODS } from "~/contracts/api-v1/settings.server";
import { currentZoneName, currentZoneNames } from "~/contracts/dashboard/time-zones";
import { decimalToMinor, minorToDecimal } from "~/utils/money";
import { webhookEndpointCounts } from "~/domain/webhooks/endpoints.server";

// The settings page, server side, for every home of the merchant UI: retry policy, quiet hours and
// timezone, sender and branding everywhere; then what connects the workspace and who can open it,
// which differ by home. On /dashboard: connected Stripe accounts and the team. Inside the Shopify
// admin: the shop (read-only), and no team (Shopify decides who opens the app; its staff act as
// admins). Each section posts its own `intent` and answers with a toast. API keys are in both homes
// (API users exist inside Shopify too): the raw key is in the create/rotate answer only, never in
// the loader's data.

type DashboardHome = { kind: "dashboard"; actorOf: (request: Request) => Promise<DashboardSession> };
type ShopifyHome = { kind: "shopify"; actorOf: (request: Request) => Promise<ShopifyStaff> };
export type SettingsHome = DashboardHome | ShopifyHome;

type SettingsActor = DashboardSession | ShopifyStaff;

/** What the page may offer the actor: disabled controls with `refusal` beside them otherwise. */
function accessOf(actor: Actor) {
  const manageSettings = can(actor.role, "manage_settings");
  const manageApiKeys = can(actor.role, "manage_api_keys");
  return {
    role: actor.role,
    manageSettings,
    manageConnections: can(actor.role, "manage_connections"),
    manageTeam: can(actor.role, "manage_team"),
    manageApiKeys,
    refusal: manageSettings ? null : refusalMessage("manage_settings", actor.ownerLabel),
    apiKeysRefusal: manageApiKeys ? null : refusalMessage("manage_api_keys", actor.ownerLabel),
  };
}

/** The most keys the page lists (newest first); the CLI and the API page through the rest. */
const LISTED_KEYS = 100;

/** A key as the page lists it: what `apiKeyView` shows (never the key or its hash), dates as ISO strings. */
function listedKey(key: ApiKeyView) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    livemode: key.livemode,
    status: key.status,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    expiresAt: iso(key.expiresAt),
    revokedAt: iso(key.revokedAt),
  };
}
export type ListedApiKey = ReturnType<typeof listedKey>;

async function apiKeysOf(workspaceId: string) {
  const page = await listApiKeys({ workspaceId, page: { mode: "cursor", limit: LISTED_KEYS, after: null } });
  return { items: page.items.map(listedKey), more: page.nextCursor !== null, scopes: API_KEY_SCOPES, graceHours: ROTATION_GRACE_HOURS };
}

/** "What Recoup learned from your retries": counts and the best customer-local hours and days, dates as ISO strings. */
async function learningOf(workspaceId: string) {
  const summary = await learningSummary(workspaceId);
  return { ...summary, computedAt: summary.computedAt ? summary.computedAt.toISOString() : null };
}
export type LearningView = Awaited<ReturnType<typeof learningOf>>;

/** The recovery goal as its form shows it: a percentage, an amount in the currency's decimals, this period's progress. */
async function goalOf(workspaceId: string) {
  const goal = await getRecoveryGoal(workspaceId);
  return {
    configured: goal.configured,
    targetPercent: goal.targetRate === null ? null : Math.round(goal.targetRate * 10_000) / 100,
    targetAmount: goal.targetAmountCents === null ? null : minorToDecimal(goal.targetAmountCents, goal.currency),
    period: goal.period,
    currency: goal.currency.toUpperCase(),
    periodStart: goal.periodStart.toISOString(),
    periodEnd: goal.periodEnd.toISOString(),
    progress: {
      currentRate: goal.progress.currentRate,
      recoveredMinor: goal.progress.recoveredRevenueCents,
      failedMinor: goal.progress.failedRevenueCents,
      achieved: goal.progress.achieved,
    },
  };
}
export type GoalView = Awaited<ReturnType<typeof goalOf>>;

async function commonPage(actor: SettingsActor) {
  const [stored, apiKeys, learning, goal] = await Promise.all([getWorkspaceSettings(actor.workspaceId), apiKeysOf(actor.workspaceId), learningOf(actor.workspaceId), goalOf(actor.workspaceId)]);
  // A zone saved under an old name (Asia/Calcutta) is shown, and saved again, under today's (Asia/Kolkata).
  const settings = { ...stored, timezone: currentZoneName(stored.timezone) };
  // From the server's ICU, so that the list is the same on every browser (and hydrates); today's names.
  const timezones = currentZoneNames([settings.timezone, ...Intl.supportedValuesOf("timeZone")]);
  // The instant the zones' offsets are given for, the same for the server's render and the browser's.
  return { settings, timezones, now: new Date().toISOString(), access: accessOf(actor), apiKeys, learning, goal };
}

async function dashboardPage(actor: DashboardSession) {
  const [common, accounts, members, webhooks] = await Promise.all([
    commonPage(actor),
    listConnectedAccounts(actor.workspaceId),
    listMembers(actor.workspaceId),
    webhookEndpointCounts(actor.workspaceId),
  ]);
  return { home: "dashboard" as const, ...common, accounts, members, webhooks, currentUserId: actor.userId, stripeConfigured: missingConnectSettings().length === 0 };
}

async function shopifyPage(actor: ShopifyStaff) {
  return { home: "shopify" as const, ...(await commonPage(actor)), shop: actor.shop };
}

type Loader<T> = (args: LoaderFunctionArgs) => Promise<T>;

export function settingsPageLoader(home: DashboardHome): Loader<Awaited<ReturnType<typeof dashboardPage>>>;
export function settingsPageLoader(home: ShopifyHome): Loader<Awaited<ReturnType<typeof shopifyPage>>>;
export function settingsPageLoader(home: SettingsHome) {
  return async ({ request }: LoaderFunctionArgs) => {
    const actor = await home.actorOf(request);
    return actor.userId === null ? shopifyPage(actor) : dashboardPage(actor);
  };
}

export type SettingsPageData = Awaited<ReturnType<typeof dashboardPage>> | Awaited<ReturnType<typeof shopifyPage>>;

const SETTINGS_INTENTS = [
  z.object({ intent: z.literal("retry-policy"), patch: z.record(z.string(), z.unknown()) }),
  z.object({ intent: z.literal("quiet-hours"), quietHours: z.unknown(), timezone: z.unknown() }),
  z.object({ intent: z.literal("sender"), senderName: z.unknown(), replyTo: z.unknown() }),
  z.object({ intent: z.literal("branding"), brandColor: z.unknown(), logoUrl: z.unknown() }),
  z.object({ intent: z.literal("holdout"), percent: z.unknown() }),
  z.object({ intent: z.literal("recovery-goal"), targetPercent: z.unknown(), targetAmount: z.unknown(), period: z.unknown() }),
  z.object({ intent: z.literal("create-api-key"), name: z.unknown(), scopes: z.unknown(), customScopes: z.unknown(), livemode: z.unknown() }),
  z.object({ intent: z.literal("rotate-api-key"), id: z.unknown() }),
  z.object({ intent: z.literal("revoke-api-key"), id: z.unknown() }),
] as const;

const DashboardActionSchema = z.discriminatedUnion("intent", [
  ...SETTINGS_INTENTS,
  z.object({ intent: z.literal("disconnect"), stripeAccountId: z.string() }),
  z.object({ intent: z.literal("invite"), email: z.unknown(), role: z.unknown() }),
  z.object({ intent: z.literal("remove-member"), userId: z.string(), label: z.string().optional() }),
  z.object({ intent: z.literal("change-role"), userId: z.string(), role: z.unknown() }),
  z.object({ intent: z.literal("mint-access-token") }),
]);
// Inside Shopify there are no Stripe accounts or team to change here: those intents are unknown.
const ShopifyActionSchema = z.discriminatedUnion("intent", [...SETTINGS_INTENTS]);

type Body = z.infer<typeof DashboardActionSchema>;

const PERMISSION: Record<Body["intent"], Permission> = {
  "retry-policy": "manage_settings",
  "quiet-hours": "manage_settings",
  sender: "manage_settings",
  branding: "manage_settings",
  holdout: "manage_settings",
  "recovery-goal": "manage_settings",
  disconnect: "manage_connections",
  invite: "manage_team",
  "remove-member": "manage_team",
  "change-role": "manage_team",
  "create-api-key": "manage_api_keys",
  "rotate-api-key": "manage_api_keys",
  "revoke-api-key": "manage_api_keys",
  // A teammate's own token for ND8's dashboard endpoints: it carries their role, no more.
  "mint-access-token": "act_on_recoveries",
};

const ROLE_WORDS: Record<string, string> = { admin: "an admin", member: "a member" };

// eslint-disable-next-line no-control-regex -- PostgreSQL text cannot hold NUL: refused, not a 500
const NO_NUL = /^[^\u0000]*$/;

const NewApiKeySchema = z.object({
  name: z
    .string("Give the key a name, such as Billing sync.")
    .trim()
    .min(1, "Give the key a name, such as Billing sync.")
    .max(100, "Keep the name under 100 characters.")
    .regex(NO_NUL, "The name can't contain that character."),
  scopes: z.array(z.enum(API_KEY_SCOPES, "Choose scopes from the list."), "Choose scopes from the list.").max(API_KEY_SCOPES.length).default([]),
  customScopes: z.string("Type scopes separated by commas, such as read:payments.").max(1000, "That's too many scopes: an API key needs only the ones its code uses.").default(""),
  livemode: z.boolean("Choose live or test.").default(true),
});
// Ids are cuids: anything else cannot be a key of this workspace.
const KeyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** The scopes ticked plus those typed ("read:payments, write:recoveries"), checked by the same rule as the CLI and API. */
function scopesOf(input: z.infer<typeof NewApiKeySchema>): string[] {
  const typed = input.customScopes.trim();
  let extra: string[] = [];
  if (typed) {
    try {
      extra = parseScopes(typed.replace(/\s+/g, ","));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw new AppError("validation_failed", error.message, { errors: [{ path: "customScopes", message: error.message }] });
    }
  }
  const scopes = [...new Set([...input.scopes, ...extra])];
  if (scopes.length === 0) {
    const message = "Choose at least one scope: what the key may do.";
    throw new AppError("validation_failed", message, { errors: [{ path: "scopes", message }] });
  }
  return scopes;
}

function keyIdOf(id: unknown): string {
  const parsed = KeyIdSchema.safeParse(id);
  if (!parsed.success) throw new AppError("api_key_not_found", "That API key isn't in this workspace. Reload the page to see its keys.");
  return parsed.data;
}

/** The raw key, shown once: the answer must not be stored by a cache. */
function withSecret(toast: string, key: { key: string; id: string; name: string; prefix: string; livemode: boolean }) {
  return { toast, secret: { id: key.id, name: key.name, prefix: key.prefix, livemode: key.livemode, key: key.key } };
}

function apiKeyNotFound(error: unknown): never {
  if (error instanceof AppError && error.code === "api_key_not_found") {
    throw new AppError("api_key_not_found", "That API key isn't in this workspace. Reload the page to see its keys.");
  }
  throw error;
}

type Secret = ReturnType<typeof withSecret>["secret"];

/**
 * The goal's form, every field checked on its own so that all that are wrong are named at once: a
 * percentage (0 < % ≤ 100, up to two decimals), an optional amount in the reporting currency's
 * decimals, a period.
 */
function goalFormSchema(currency: string) {
  return z.object({
    targetPercent: z
      .union([z.number(), z.string()], { error: "Enter the share of failed revenue to win back, such as 35." })
      .transform((value, ctx) => {
        const percent = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value);
        if (!Number.isFinite(percent)) ctx.addIssue({ code: "custom", message: "Enter the share of failed revenue to win back, such as 35." });
        else if (percent <= 0 || percent > 100) ctx.addIssue({ code: "custom", message: "Enter a percentage above 0 and at most 100." });
        else if (Math.round(percent * 100) !== percent * 100) ctx.addIssue({ code: "custom", message: "Use at most two decimals, such as 35.5." });
        return percent / 100;
      }),
    targetAmount: z
      .union([z.string(), z.null()], { error: `Enter an amount in ${currency}, such as 5000, or leave it empty.` })
      .optional()
      .transform((value, ctx) => {
        if (value === undefined || value === null || value.trim() === "") return null;
        const minor = decimalToMinor(value.replaceAll(",", ""), currency);
        if (minor === null) ctx.addIssue({ code: "custom", message: `Enter an amount in ${currency}, such as 5000 or 5000.50, or leave it empty.` });
        else if (minor < 1) ctx.addIssue({ code: "custom", message: "Enter an amount above 0, or leave it empty." });
        return minor;
      }),
    period: z.enum(GOAL_PERIODS, { error: "Choose a month, a quarter or a year." }),
  });
}

async function saveGoal(workspaceId: string, body: Extract<Body, { intent: "recovery-goal" }>) {
  const { currency } = await goalOf(workspaceId);
  const form = goalFormSchema(currency).parse(body);
  await setRecoveryGoal({ workspaceId, body: { target_rate: form.targetPercent, target_amount_cents: form.targetAmount, period: form.period } });
  return goalOf(workspaceId);
}

async function perform(
  body: Body,
  actor: SettingsActor,
): Promise<{ toast: string; settings?: WorkspaceSettings; goal?: GoalView; secret?: Secret; accessToken?: { token: string; expiresAt: string } }> {
  const { workspaceId } = actor;
  const actingUserId = actor.userId ?? "";
  // The domain validates every value; the casts only hand them over.
  switch (body.intent) {
    case "retry-policy":
      return { toast: "Retry policy saved", settings: await updateRetryPolicy({ workspaceId, patch: body.patch as RetryPolicyPatch }) };
    case "quiet-hours":
      return {
        toast: "Quiet hours saved",
        settings: await updateQuietHours({
          workspaceId,
          quietHours: body.quietHours as { start: number; end: number } | null,
          // An old name (Asia/Calcutta) is the same zone: saved under today's (Asia/Kolkata).
          timezone: typeof body.timezone === "string" ? currentZoneName(body.timezone) : (body.timezone as string),
        }),
      };
    case "recovery-goal":
      return { toast: "Recovery goal saved", goal: await saveGoal(workspaceId, body) };
    case "sender": {
      const { senderName, replyTo } = body as SenderAndBranding;
      return { toast: "Sender saved", settings: await updateSenderAndBranding({ workspaceId, senderName, replyTo }) };
    }
    case "branding": {
      const { brandColor, logoUrl } = body as SenderAndBranding;
      return { toast: "Branding saved", settings: await updateSenderAndBranding({ workspaceId, brandColor, logoUrl }) };
    }
    case "holdout": {
      // The form says percent where the domain says share: the same error, on the form's field.
      const percent = typeof body.percent === "number" ? body.percent : Number.NaN;
      await setHoldout({ workspaceId, share: Number.isFinite(percent) ? percent / 100 : -1 }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "validation_failed") throw new AppError("validation_failed", error.message, { errors: [{ path: "percent", message: error.message }] });
        throw error;
      });
      return { toast: percent > 0 ? `Holdout set to ${percent} %` : "Holdout off", settings: await getWorkspaceSettings(workspaceId) };
    }
    case "disconnect":
      await disconnectFromDashboard({ workspaceId, stripeAccountId: body.stripeAccountId });
      return { toast: `${body.stripeAccountId} disconnected. Its open recoveries are paused.` };
    case "invite": {
      const { member, emailed } = await inviteMember({ workspaceId, email: body.email as string, role: body.role as string, appUrl: env().APP_URL });
      return { toast: emailed ? `Invitation sent to ${member.email}` : `${member.email} added. Email isn't set up on this server (SMTP_URL), so the invitation is in the Outbox: pass its link on.` };
    }
    case "remove-member":
      await removeMember({ workspaceId, userId: body.userId, actingUserId });
      return { toast: `${body.label ?? "Member"} removed` };
    case "change-role": {
      const changed = await changeMemberRole({ workspaceId, userId: body.userId, role: body.role, actingUserId });
      return { toast: `${changed.label} is now ${ROLE_WORDS[changed.role] ?? changed.role}` };
    }
    case "create-api-key": {
      const input = NewApiKeySchema.parse(body);
      const created = await createApiKey({ workspaceId, name: input.name, scopes: scopesOf(input), livemode: input.livemode, actor: actor.userId ? { userId: actor.userId } : {} });
      return withSecret(`API key "${created.name}" created`, created);
    }
    case "rotate-api-key": {
      const rotated = await rotateApiKey({ workspaceId, id: keyIdOf(body.id), actor: actor.userId ? { userId: actor.userId } : {} }).catch(apiKeyNotFound);
      return withSecret(`"${rotated.name}" rotated. The old key keeps working for ${ROTATION_GRACE_HOURS} hours.`, rotated);
    }
    case "revoke-api-key": {
      const revoked = await revokeApiKey({ workspaceId, id: keyIdOf(body.id) }).catch(apiKeyNotFound);
      return { toast: `"${revoked.name}" revoked. Requests with it are refused from now on.` };
    }
    case "mint-access-token": {
      const minted = await mintAccessToken({ workspaceId, userId: actingUserId });
      return { toast: `Token created: it works for ${ACCESS_TOKEN_HOURS} hours`, accessToken: { token: minted.token, expiresAt: minted.expiresAt.toISOString() } };
    }
  }
}

export function settingsPageAction(home: SettingsHome) {
  const schema = home.kind === "dashboard" ? DashboardActionSchema : ShopifyActionSchema;
  return async ({ request }: ActionFunctionArgs) => {
    const actor: SettingsActor = await home.actorOf(request);
    try {
      const body: Body = await readJson(request, schema);
      requirePermission(actor, PERMISSION[body.intent]);
      const result = { ok: true as const, intent: body.intent, ...(await perform(body, actor)) };
      // An answer with a raw API key is shown once: no cache may keep it.
      return result.secret || result.accessToken ? data(result, { headers: { "Cache-Control": "no-store" } }) : result;
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type SettingsAction = ReturnType<typeof settingsPageAction>;
