import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { disconnectFromDashboard, listConnectedAccounts, missingConnectSettings } from "~/domain/connect/connect.server";
import type { RetryPolicyPatch, SenderAndBranding } from "~/domain/settings/schemas";
import { getWorkspaceSettings, updateQuietHours, updateRetryPolicy, updateSenderAndBranding, type WorkspaceSettings } from "~/domain/settings/settings.server";
import { can, refusalMessage, type Permission } from "~/domain/team/roles";
import { changeMemberRole, inviteMember, listMembers, removeMember } from "~/domain/team/team.server";
import { readJson } from "~/http/body.server";
import { actionFailure, requirePermission, type Actor, type DashboardSession } from "~/http/dashboard-session.server";
import { env } from "~/utils/env.server";

// The settings page, server side, for every home of the merchant UI: retry policy, quiet hours and
// timezone, sender and branding everywhere; then what connects the workspace and who can open it,
// which differ by home. On /dashboard: connected Stripe accounts and the team. Inside the Shopify
// admin: the shop (read-only), and no team (Shopify decides who opens the app; its staff act as
// admins). Each section posts its own `intent` and answers with a toast.

type DashboardHome = { kind: "dashboard"; actorOf: (request: Request) => Promise<DashboardSession> };
type ShopifyHome = { kind: "shopify"; actorOf: (request: Request) => Promise<{ workspaceId: string; shop: string }> };
export type SettingsHome = DashboardHome | ShopifyHome;

interface SettingsActor extends Actor {
  workspaceId: string;
  /** Null inside Shopify: its staff are not Recoup users. */
  userId: string | null;
  shop: string | null;
}

async function actorOf(home: SettingsHome, request: Request): Promise<SettingsActor> {
  if (home.kind === "dashboard") return { ...(await home.actorOf(request)), shop: null };
  const { workspaceId, shop } = await home.actorOf(request);
  // Shopify already decides which staff may open the app (docs/decisions/0010-team-roles.md).
  return { workspaceId, shop, userId: null, role: "admin", ownerLabel: null };
}

/** What the page may offer the actor: disabled controls with `refusal` beside them otherwise. */
function accessOf(actor: Actor) {
  const manageSettings = can(actor.role, "manage_settings");
  return {
    role: actor.role,
    manageSettings,
    manageConnections: can(actor.role, "manage_connections"),
    manageTeam: can(actor.role, "manage_team"),
    refusal: manageSettings ? null : refusalMessage("manage_settings", actor.ownerLabel),
  };
}

async function commonPage(actor: SettingsActor) {
  const settings = await getWorkspaceSettings(actor.workspaceId);
  // From the server's ICU, so that the list is the same on every browser (and hydrates).
  const timezones = [...new Set(["UTC", settings.timezone, ...Intl.supportedValuesOf("timeZone")])];
  return { settings, timezones, access: accessOf(actor) };
}

async function dashboardPage(actor: SettingsActor & { userId: string }) {
  const [common, accounts, members] = await Promise.all([commonPage(actor), listConnectedAccounts(actor.workspaceId), listMembers(actor.workspaceId)]);
  return { home: "dashboard" as const, ...common, accounts, members, currentUserId: actor.userId, stripeConfigured: missingConnectSettings().length === 0 };
}

async function shopifyPage(actor: SettingsActor) {
  return { home: "shopify" as const, ...(await commonPage(actor)), shop: actor.shop ?? "" };
}

type Loader<T> = (args: LoaderFunctionArgs) => Promise<T>;

export function settingsPageLoader(home: DashboardHome): Loader<Awaited<ReturnType<typeof dashboardPage>>>;
export function settingsPageLoader(home: ShopifyHome): Loader<Awaited<ReturnType<typeof shopifyPage>>>;
export function settingsPageLoader(home: SettingsHome) {
  return async ({ request }: LoaderFunctionArgs) => {
    const actor = await actorOf(home, request);
    return actor.userId === null ? shopifyPage(actor) : dashboardPage({ ...actor, userId: actor.userId });
  };
}

export type SettingsPageData = Awaited<ReturnType<typeof dashboardPage>> | Awaited<ReturnType<typeof shopifyPage>>;

const SETTINGS_INTENTS = [
  z.object({ intent: z.literal("retry-policy"), patch: z.record(z.string(), z.unknown()) }),
  z.object({ intent: z.literal("quiet-hours"), quietHours: z.unknown(), timezone: z.unknown() }),
  z.object({ intent: z.literal("sender"), senderName: z.unknown(), replyTo: z.unknown() }),
  z.object({ intent: z.literal("branding"), brandColor: z.unknown(), logoUrl: z.unknown() }),
] as const;

const DashboardActionSchema = z.discriminatedUnion("intent", [
  ...SETTINGS_INTENTS,
  z.object({ intent: z.literal("disconnect"), stripeAccountId: z.string() }),
  z.object({ intent: z.literal("invite"), email: z.unknown(), role: z.unknown() }),
  z.object({ intent: z.literal("remove-member"), userId: z.string(), label: z.string().optional() }),
  z.object({ intent: z.literal("change-role"), userId: z.string(), role: z.unknown() }),
]);
// Inside Shopify there are no Stripe accounts or team to change here: those intents are unknown.
const ShopifyActionSchema = z.discriminatedUnion("intent", [...SETTINGS_INTENTS]);

type Body = z.infer<typeof DashboardActionSchema>;

const PERMISSION: Record<Body["intent"], Permission> = {
  "retry-policy": "manage_settings",
  "quiet-hours": "manage_settings",
  sender: "manage_settings",
  branding: "manage_settings",
  disconnect: "manage_connections",
  invite: "manage_team",
  "remove-member": "manage_team",
  "change-role": "manage_team",
};

const ROLE_WORDS: Record<string, string> = { admin: "an admin", member: "a member" };

async function perform(body: Body, actor: SettingsActor): Promise<{ toast: string; settings?: WorkspaceSettings }> {
  const { workspaceId } = actor;
  const actingUserId = actor.userId ?? "";
  // The domain validates every value; the casts only hand them over.
  switch (body.intent) {
    case "retry-policy":
      return { toast: "Retry policy saved", settings: await updateRetryPolicy({ workspaceId, patch: body.patch as RetryPolicyPatch }) };
    case "quiet-hours":
      return {
        toast: "Quiet hours saved",
        settings: await updateQuietHours({ workspaceId, quietHours: body.quietHours as { start: number; end: number } | null, timezone: body.timezone as string }),
      };
    case "sender": {
      const { senderName, replyTo } = body as SenderAndBranding;
      return { toast: "Sender saved", settings: await updateSenderAndBranding({ workspaceId, senderName, replyTo }) };
    }
    case "branding": {
      const { brandColor, logoUrl } = body as SenderAndBranding;
      return { toast: "Branding saved", settings: await updateSenderAndBranding({ workspaceId, brandColor, logoUrl }) };
    }
    case "disconnect":
      await disconnectFromDashboard({ workspaceId, stripeAccountId: body.stripeAccountId });
      return { toast: `${body.stripeAccountId} disconnected. Its open recoveries are paused.` };
    case "invite": {
      const { member, emailed } = await inviteMember({ workspaceId, email: body.email as string, role: body.role as string, appUrl: env().APP_URL });
      return { toast: emailed ? `Invitation sent to ${member.email}` : `${member.email} added. Email isn't set up on this server (SMTP_URL), so no invitation was sent.` };
    }
    case "remove-member":
      await removeMember({ workspaceId, userId: body.userId, actingUserId });
      return { toast: `${body.label ?? "Member"} removed` };
    case "change-role": {
      const changed = await changeMemberRole({ workspaceId, userId: body.userId, role: body.role, actingUserId });
      return { toast: `${changed.label} is now ${ROLE_WORDS[changed.role] ?? changed.role}` };
    }
  }
}

export function settingsPageAction(home: SettingsHome) {
  const schema = home.kind === "dashboard" ? DashboardActionSchema : ShopifyActionSchema;
  return async ({ request }: ActionFunctionArgs) => {
    const actor = await actorOf(home, request);
    try {
      const body: Body = await readJson(request, schema);
      requirePermission(actor, PERMISSION[body.intent]);
      return { ok: true as const, intent: body.intent, ...(await perform(body, actor)) };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type SettingsAction = ReturnType<typeof settingsPageAction>;
