// Flow Arc's alert rules (seed 001), exactly: its bare AlertRuleResponse, `{items}` lists, `{error,
// message}` errors and 422 for every validation error, over Recoup's alert rules (app/domain/alerts).
import { z } from "zod";
import {
  alertEndpointsOf,
  AlertRuleInvalid,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  listAlertRules,
  updateAlertRule,
  type AlertRuleView,
} from "~/domain/alerts/rules.server";
import { ALERT_CADENCES, ALERT_CHANNELS, ALERT_EVENT_TYPES, AlertFilterSchema, type AlertRuleField, type AlertRuleFields } from "~/domain/alerts/schemas";
import { AppError } from "~/domain/errors";
import type { Caller } from "~/http/auth.server";
import { uuidFromKey } from "~/utils/crypto.server";

const NAME = z.string().min(1).max(120);
const EMAILS = z.array(z.email().max(320));
const PHONES = z.array(z.string().min(1).max(40));
const ROLES = z.array(z.string().min(1).max(40));

export const AlertRuleInputSchema = z.object({
  name: NAME.describe("Shown in the dashboard and on every alert."),
  enabled: z.boolean().default(true),
  event_type: z.enum(ALERT_EVENT_TYPES).describe("Canonical event the rule subscribes to."),
  channel: z.enum(ALERT_CHANNELS).describe("Dispatch channel."),
  cadence: z.enum(ALERT_CADENCES).default("realtime").describe("Realtime dispatch per event, or batched digest (08:00 in the workspace's time zone)."),
  filter_json: AlertFilterSchema.default({}),
  recipient_emails: EMAILS.default([]),
  recipient_phones: PHONES.default([]).describe("Parsed UK-first into E.164."),
  recipient_roles: ROLES.default([]).describe("owner, admin or member: every member with the role."),
  webhook_endpoint_id: z.uuid().optional(),
});

export const PatchAlertRuleSchema = z
  .object({
    name: NAME,
    enabled: z.boolean(),
    event_type: z.enum(ALERT_EVENT_TYPES),
    channel: z.enum(ALERT_CHANNELS),
    cadence: z.enum(ALERT_CADENCES),
    filter_json: AlertFilterSchema,
    recipient_emails: EMAILS,
    recipient_phones: PHONES,
    recipient_roles: ROLES,
    webhook_endpoint_id: z.uuid().nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, { message: "Send at least one field to change." });

export const AlertRuleListQuerySchema = z
  .object({
    enabled: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
    channel: z.enum(ALERT_CHANNELS).optional(),
    event_type: z.enum(ALERT_EVENT_TYPES).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** Flow Arc's AlertRuleResponse, for Recoup's OpenAPI document (the seed is the authority; the conformance test holds the two together). */
export const AlertRuleResponseSchema = z.object({
  id: z.uuid(),
  tenant_id: z.uuid().describe("The workspace, as a stable UUID."),
  name: z.string(),
  enabled: z.boolean(),
  event_type: z.enum(ALERT_EVENT_TYPES),
  channel: z.enum(ALERT_CHANNELS),
  cadence: z.enum(ALERT_CADENCES),
  filter_json: AlertFilterSchema,
  recipient_emails: z.array(z.string()),
  recipient_phones: z.array(z.string()).describe("E.164."),
  recipient_roles: z.array(z.string()),
  webhook_endpoint_id: z.uuid().nullable().describe("The webhook endpoint (/api/v1/webhooks/endpoints), as a stable UUID."),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const AlertRuleListSchema = z.object({ items: z.array(AlertRuleResponseSchema) });

/** Flow Arc's tenants and endpoints are UUIDs; Recoup's workspaces and endpoints are not: a stable UUID stands for each. */
export const tenantIdOf = (workspaceId: string) => uuidFromKey(`workspace:${workspaceId}`);
export const endpointUuidOf = (endpointId: string) => uuidFromKey(`webhook-endpoint:${endpointId}`);

function toWire(rule: AlertRuleView) {
  return {
    id: rule.id,
    tenant_id: tenantIdOf(rule.workspaceId),
    name: rule.name,
    enabled: rule.enabled,
    event_type: rule.eventType,
    channel: rule.channel,
    cadence: rule.cadence,
    filter_json: rule.filter,
    recipient_emails: rule.recipientEmails,
    recipient_phones: rule.recipientPhones,
    recipient_roles: rule.recipientRoles,
    webhook_endpoint_id: rule.webhookEndpointId ? endpointUuidOf(rule.webhookEndpointId) : null,
    created_at: rule.createdAt.toISOString(),
    updated_at: rule.updatedAt.toISOString(),
  };
}

const WIRE_FIELD: Record<AlertRuleField, string> = {
  name: "name",
  enabled: "enabled",
  eventType: "event_type",
  channel: "channel",
  cadence: "cadence",
  filter: "filter_json",
  recipientEmails: "recipient_emails",
  recipientPhones: "recipient_phones",
  recipientRoles: "recipient_roles",
  webhookEndpointId: "webhook_endpoint_id",
};

/** The domain's problems in Flow Arc's words: every field named, 422. */
async function inFlowArcWords<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AlertRuleInvalid)) throw error;
    const errors = error.problems.map((p) => ({ path: `${WIRE_FIELD[p.field]}${p.index !== undefined ? `.${p.index}` : ""}`, message: p.message }));
    throw new AppError("unprocessable_entity", errors.map((e) => `${e.path}: ${e.message}`).join(" "), { errors });
  }
}

/** Flow Arc's `webhook_endpoint_id` back to this workspace's endpoint; an unknown one stays unknown (the domain refuses it, 422). */
async function endpointIdFor(workspaceId: string, uuid: string | null | undefined): Promise<string | null | undefined> {
  if (uuid === undefined || uuid === null) return uuid;
  const endpoints = await alertEndpointsOf(workspaceId);
  return endpoints.find((e) => endpointUuidOf(e.id) === uuid.toLowerCase())?.id ?? `unknown:${uuid}`;
}

export async function createForCaller(caller: Caller, body: z.output<typeof AlertRuleInputSchema>) {
  const fields: AlertRuleFields = {
    name: body.name,
    enabled: body.enabled,
    eventType: body.event_type,
    channel: body.channel,
    cadence: body.cadence,
    filter: body.filter_json,
    recipientEmails: body.recipient_emails,
    recipientPhones: body.recipient_phones,
    recipientRoles: body.recipient_roles,
    webhookEndpointId: (await endpointIdFor(caller.workspaceId, body.webhook_endpoint_id)) ?? null,
  };
  return toWire(await inFlowArcWords(() => createAlertRule({ workspaceId: caller.workspaceId, fields })));
}

/** Flow Arc's ids are UUIDs: anything else is no alert rule of this workspace. */
function ruleId(id: string | undefined): string {
  if (!id || !z.uuid().safeParse(id).success) throw new AppError("alert_rule_not_found", `No alert rule ${id ?? ""} is visible to this workspace.`);
  return id.toLowerCase();
}

export async function getForCaller(caller: Caller, id: string | undefined) {
  return toWire(await getAlertRule({ workspaceId: caller.workspaceId, id: ruleId(id) }));
}

export async function patchForCaller(caller: Caller, id: string | undefined, body: z.output<typeof PatchAlertRuleSchema>) {
  const input = { workspaceId: caller.workspaceId, id: ruleId(id) };
  // Another workspace's rule is a 404 before its body is looked at.
  await getAlertRule(input);
  const changes: Partial<AlertRuleFields> = {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(body.event_type !== undefined ? { eventType: body.event_type } : {}),
    ...(body.channel !== undefined ? { channel: body.channel } : {}),
    ...(body.cadence !== undefined ? { cadence: body.cadence } : {}),
    ...(body.filter_json !== undefined ? { filter: body.filter_json } : {}),
    ...(body.recipient_emails !== undefined ? { recipientEmails: body.recipient_emails } : {}),
    ...(body.recipient_phones !== undefined ? { recipientPhones: body.recipient_phones } : {}),
    ...(body.recipient_roles !== undefined ? { recipientRoles: body.recipient_roles } : {}),
    ...(body.webhook_endpoint_id !== undefined ? { webhookEndpointId: (await endpointIdFor(caller.workspaceId, body.webhook_endpoint_id)) ?? null } : {}),
  };
  return toWire(await inFlowArcWords(() => updateAlertRule({ ...input, changes })));
}

export async function deleteForCaller(caller: Caller, id: string | undefined): Promise<void> {
  await deleteAlertRule({ workspaceId: caller.workspaceId, id: ruleId(id) });
}

export async function listForCaller(caller: Caller, url: URL) {
  const query = AlertRuleListQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    const errors = query.error.issues.map((i) => ({ path: i.path.join(".") || "(query)", message: i.message }));
    throw new AppError("unprocessable_entity", `${errors[0]!.path}: ${errors[0]!.message}`, { errors });
  }
  const { enabled, channel, event_type, limit } = query.data;
  const rules = await listAlertRules({ workspaceId: caller.workspaceId, enabled, channel, eventType: event_type, limit });
  return { items: rules.map(toWire) };
}
