// /dashboard/alerts (ADR 0077): the workspace's alert rules (list, create, edit, turn on or off,
// delete) and what they sent lately. The form's problems come back all at once, each beside its
// field, in the domain's words (app/domain/alerts/rules.ts).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { listRecentDispatches } from "~/domain/alerts/history.server";
import { normaliseRule } from "~/domain/alerts/rules";
import { alertEndpointsOf, AlertRuleInvalid, createAlertRule, deleteAlertRule, listAlertRules, updateAlertRule } from "~/domain/alerts/rules.server";
import {
  ALERT_CADENCES,
  ALERT_CHANNELS,
  ALERT_EVENT_TYPES,
  FILTER_FAILURE_CODES,
  FILTER_PAYMENT_METHODS,
  FILTER_PROVIDERS,
  RECIPIENT_ROLES,
  type AlertRuleFields,
  type RuleProblem,
} from "~/domain/alerts/schemas";
import { can } from "~/domain/access/roles";
import { AppError } from "~/domain/errors";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { readJson } from "~/http/body.server";
import { actionFailure, requirePermission, type DashboardSession } from "./dashboard-session.server";

type CallerOf = (request: Request) => Promise<DashboardSession>;

function readOnlyWords(session: DashboardSession): string | null {
  if (can(session.role, "manage_settings")) return null;
  const who = session.ownerLabel ? `Ask ${session.ownerLabel} (the owner)` : "Ask the workspace's owner";
  return `Only admins can change alert rules. ${who} or an admin to make the change.`;
}

export function alertsLoader(callerOf: CallerOf) {
  return async ({ request }: LoaderFunctionArgs) => {
    const session = await callerOf(request);
    const [workspace, rules, endpoints, dispatches] = await Promise.all([
      getWorkspace(session.workspaceId),
      listAlertRules({ workspaceId: session.workspaceId, limit: 200 }),
      alertEndpointsOf(session.workspaceId),
      listRecentDispatches({ workspaceId: session.workspaceId, limit: 50 }),
    ]);
    return {
      timeZone: workspace.timezone,
      readOnly: readOnlyWords(session),
      rules: rules.map((r) => ({
        id: r.id,
        name: r.name,
        enabled: r.enabled,
        eventType: r.eventType,
        channel: r.channel,
        cadence: r.cadence,
        filter: r.filter,
        recipientEmails: r.recipientEmails,
        recipientPhones: r.recipientPhones,
        recipientRoles: r.recipientRoles,
        webhookEndpointId: r.webhookEndpointId,
        createdAt: r.createdAt.toISOString(),
      })),
      endpoints: endpoints.map((e) => ({ id: e.id, label: `${e.url}${e.enabled ? "" : " (disabled)"}` })),
      dispatches: dispatches.map((d) => ({ ...d, createdAt: d.createdAt.toISOString(), sentAt: d.sentAt?.toISOString() ?? null })),
      options: {
        eventTypes: [...ALERT_EVENT_TYPES],
        channels: [...ALERT_CHANNELS],
        cadences: [...ALERT_CADENCES],
        providers: [...FILTER_PROVIDERS],
        failureCodes: [...FILTER_FAILURE_CODES],
        paymentMethods: [...FILTER_PAYMENT_METHODS],
        roles: [...RECIPIENT_ROLES],
      },
    };
  };
}

export type AlertsLoader = ReturnType<typeof alertsLoader>;

const text = (max: number) => z.string().max(max, { error: "That's longer than this field takes." }).default("");
const picks = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).max(values.length).default([]);

export const AlertRuleFormSchema = z.object({
  name: text(200),
  enabled: z.boolean().default(true),
  eventType: z.enum(ALERT_EVENT_TYPES, { error: "Choose what the rule listens for." }),
  channel: z.enum(ALERT_CHANNELS, { error: "Choose how the alert is sent." }),
  cadence: z.enum(ALERT_CADENCES, { error: "Choose when it is sent." }),
  /** A decimal amount such as 50 or 50.00: compared with each payment in its currency's minor units (× 100). */
  amountMin: text(20),
  providers: picks(FILTER_PROVIDERS),
  failureCodes: picks(FILTER_FAILURE_CODES),
  paymentMethods: picks(FILTER_PAYMENT_METHODS),
  /** Comma- or line-separated. */
  recipientEmails: text(5000),
  recipientPhones: text(2000),
  recipientRoles: z.array(z.string().max(40)).max(10).default([]),
  webhookEndpointId: text(100),
});
export type AlertRuleForm = z.input<typeof AlertRuleFormSchema>;

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("save"), id: z.string().max(100).optional(), rule: AlertRuleFormSchema }),
  z.object({ intent: z.literal("toggle"), id: z.string().max(100), enabled: z.boolean() }),
  z.object({ intent: z.literal("delete"), id: z.string().max(100) }),
]);

const list = (value: string) =>
  value
    .split(/[\n,;]+/)
    .map((v) => v.trim())
    .filter(Boolean);

/** The form as a rule, with the problems only the form can have (a malformed email, an amount that is none); the domain checks the rest. */
function fieldsOf(form: z.output<typeof AlertRuleFormSchema>): { fields: AlertRuleFields; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const emails = list(form.recipientEmails);
  const badEmail = emails.find((e) => !z.email().safeParse(e).success);
  if (badEmail) problems.push({ field: "recipientEmails", message: `"${badEmail}" is not an email address.` });
  let amountMinMinor: number | undefined;
  if (form.amountMin.trim()) {
    const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(form.amountMin.trim());
    if (match) amountMinMinor = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
    else problems.push({ field: "filter", message: "Give the minimum amount as a number such as 50 or 49.99, or leave it empty." });
  }
  const fields: AlertRuleFields = {
    name: form.name,
    enabled: form.enabled,
    eventType: form.eventType,
    channel: form.channel,
    cadence: form.cadence,
    filter: {
      ...(amountMinMinor !== undefined ? { amountMinMinor } : {}),
      ...(form.providers.length ? { providers: form.providers } : {}),
      ...(form.failureCodes.length ? { failureCodes: form.failureCodes } : {}),
      ...(form.paymentMethods.length ? { paymentMethods: form.paymentMethods } : {}),
    },
    recipientEmails: emails,
    recipientPhones: list(form.recipientPhones),
    recipientRoles: form.recipientRoles,
    webhookEndpointId: form.channel === "webhook" && form.webhookEndpointId ? form.webhookEndpointId : null,
  };
  return { fields, problems };
}

function invalid(problems: RuleProblem[]): never {
  // One message per field (the first), beside it in the form.
  const errors = problems.map((p) => ({ path: p.field, message: p.message }));
  throw new AppError("validation_failed", problems.length === 1 ? problems[0]!.message : "Some fields need another look.", { errors });
}

async function save(session: DashboardSession, id: string | undefined, form: z.output<typeof AlertRuleFormSchema>) {
  const { fields, problems } = fieldsOf(form);
  if (problems.length) {
    const rest = normaliseRule(fields);
    invalid([...problems, ...(rest.ok ? [] : rest.problems)]);
  }
  try {
    const rule = id ? await updateAlertRule({ workspaceId: session.workspaceId, id, changes: fields }) : await createAlertRule({ workspaceId: session.workspaceId, fields });
    return { ok: true as const, toast: id ? `${rule.name} saved` : `${rule.name} created`, id: rule.id };
  } catch (error) {
    if (error instanceof AlertRuleInvalid) invalid(error.problems);
    throw error;
  }
}

export function alertsAction(callerOf: CallerOf) {
  return async ({ request }: ActionFunctionArgs) => {
    const session = await callerOf(request);
    try {
      const body = await readJson(request, ActionSchema);
      requirePermission(session, "manage_settings");
      if (body.intent === "save") return await save(session, body.id, body.rule);
      if (body.intent === "toggle") {
        const rule = await updateAlertRule({ workspaceId: session.workspaceId, id: body.id, changes: { enabled: body.enabled } });
        return { ok: true as const, toast: `${rule.name} turned ${rule.enabled ? "on" : "off"}`, id: rule.id };
      }
      await deleteAlertRule({ workspaceId: session.workspaceId, id: body.id });
      return { ok: true as const, toast: "Alert rule deleted", id: body.id };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type AlertsAction = ReturnType<typeof alertsAction>;
