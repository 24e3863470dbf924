// Alert rules of a workspace (ADR 0077): created, changed, listed and deleted here, each checked whole
// (rules.ts) and scoped to its workspace (another workspace's rule is not found).
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import type { AlertRule } from "../../../generated/prisma/client";
import { normaliseRule } from "./rules";
import { AlertFilterSchema, type AlertCadence, type AlertChannel, type AlertEventType, type AlertRuleFields, type RuleProblem } from "./schemas";

export interface AlertRuleView extends Omit<AlertRule, "filter" | "eventType" | "channel" | "cadence"> {
  eventType: AlertEventType;
  channel: AlertChannel;
  cadence: AlertCadence;
  filter: AlertRuleFields["filter"];
}

export function viewOf(row: AlertRule): AlertRuleView {
  const filter = AlertFilterSchema.safeParse(row.filter);
  return {
    ...row,
    eventType: row.eventType as AlertEventType,
    channel: row.channel as AlertChannel,
    cadence: row.cadence as AlertCadence,
    filter: filter.success ? filter.data : {},
  };
}

export function fieldsOf(rule: AlertRuleView): AlertRuleFields {
  const { name, enabled, eventType, channel, cadence, filter, recipientEmails, recipientPhones, recipientRoles, webhookEndpointId } = rule;
  return { name, enabled, eventType, channel, cadence, filter, recipientEmails, recipientPhones, recipientRoles, webhookEndpointId };
}

/** The rule's problems as one error: 422 on the API, each beside its field in the dashboard. */
export class AlertRuleInvalid extends AppError {
  constructor(readonly problems: RuleProblem[]) {
    super("unprocessable_entity", problems.map((p) => p.message).join(" "), { problems });
  }
}

async function checked(workspaceId: string, fields: AlertRuleFields): Promise<AlertRuleFields> {
  const result = normaliseRule(fields);
  const problems = result.ok ? [] : [...result.problems];
  if (fields.webhookEndpointId) {
    const endpoint = await db().webhookEndpoint.findFirst({ where: { id: fields.webhookEndpointId, workspaceId }, select: { id: true } });
    if (!endpoint) problems.push({ field: "webhookEndpointId", message: "That webhook endpoint is not one of this workspace's." });
  }
  if (problems.length || !result.ok) throw new AlertRuleInvalid(problems);
  return result.rule;
}

function dataOf(fields: AlertRuleFields) {
  return { ...fields, filter: fields.filter as Prisma.InputJsonValue };
}

export async function createAlertRule(input: { workspaceId: string; fields: AlertRuleFields }): Promise<AlertRuleView> {
  const fields = await checked(input.workspaceId, input.fields);
  return viewOf(await db().alertRule.create({ data: { workspaceId: input.workspaceId, ...dataOf(fields), createdAt: now() } }));
}

export async function getAlertRule(input: { workspaceId: string; id: string }): Promise<AlertRuleView> {
  const row = await db().alertRule.findFirst({ where: { id: input.id, workspaceId: input.workspaceId } });
  if (!row) throw new AppError("alert_rule_not_found", `No alert rule ${input.id} is visible to this workspace.`);
  return viewOf(row);
}

/** Some fields changed; the rule they make is checked whole (an email rule cannot lose its last recipient). */
export async function updateAlertRule(input: { workspaceId: string; id: string; changes: Partial<AlertRuleFields> }): Promise<AlertRuleView> {
  const current = await getAlertRule(input);
  const fields = await checked(input.workspaceId, { ...fieldsOf(current), ...input.changes });
  const updated = await db().alertRule.updateManyAndReturn({ where: { id: current.id, workspaceId: input.workspaceId }, data: dataOf(fields) });
  if (!updated[0]) throw new AppError("alert_rule_not_found", `No alert rule ${input.id} is visible to this workspace.`);
  return viewOf(updated[0]);
}

export async function deleteAlertRule(input: { workspaceId: string; id: string }): Promise<void> {
  const { count } = await db().alertRule.deleteMany({ where: { id: input.id, workspaceId: input.workspaceId } });
  if (count === 0) throw new AppError("alert_rule_not_found", `No alert rule ${input.id} is visible to this workspace.`);
}

/** Newest first. */
export async function listAlertRules(input: {
  workspaceId: string;
  enabled?: boolean;
  channel?: AlertChannel;
  eventType?: AlertEventType;
  limit: number;
}): Promise<AlertRuleView[]> {
  const rows = await db().alertRule.findMany({
    where: { workspaceId: input.workspaceId, enabled: input.enabled, channel: input.channel, eventType: input.eventType },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
  return rows.map(viewOf);
}

/** The workspace's webhook endpoints a rule may send to. */
export async function alertEndpointsOf(workspaceId: string): Promise<Array<{ id: string; url: string; enabled: boolean }>> {
  return db().webhookEndpoint.findMany({ where: { workspaceId }, select: { id: true, url: true, enabled: true }, orderBy: { createdAt: "asc" } });
}
