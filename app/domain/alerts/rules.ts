// What makes an alert rule complete (ADR 0077): pure, so the API and the dashboard's form report
// every problem at once, in the same words.
import { parseMobile } from "~/domain/collect/mobile";
import { MAX_RECIPIENTS, RECIPIENT_ROLES, type AlertRuleFields, type RuleProblem } from "./schemas";

/** The rule with its phones in E.164 and its lists without repeats, or every problem found. */
export function normaliseRule(fields: AlertRuleFields): { ok: true; rule: AlertRuleFields } | { ok: false; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const name = fields.name.trim();
  if (!name) problems.push({ field: "name", message: "Give the rule a name." });
  else if (name.length > 120) problems.push({ field: "name", message: "Keep the name to 120 characters." });

  const phones: string[] = [];
  fields.recipientPhones.forEach((raw, index) => {
    const phone = parseMobile(raw);
    if (phone) phones.push(phone);
    else problems.push({ field: "recipientPhones", index, message: `"${raw}" is not a valid phone number (a UK number, or one with its country code such as +44 7911 123456).` });
  });
  fields.recipientRoles.forEach((role, index) => {
    if (!(RECIPIENT_ROLES as readonly string[]).includes(role)) problems.push({ field: "recipientRoles", index, message: `"${role}" is not a role: use ${RECIPIENT_ROLES.join(", ")}.` });
  });
  const emails = unique(fields.recipientEmails.map((e) => e.trim().toLowerCase()));
  const roles = unique(fields.recipientRoles);
  for (const [field, list] of [["recipientEmails", emails], ["recipientPhones", phones], ["recipientRoles", roles]] as const) {
    if (list.length > MAX_RECIPIENTS) problems.push({ field, message: `At most ${MAX_RECIPIENTS} recipients per list.` });
  }

  if (fields.channel === "email" && emails.length === 0 && roles.length === 0) {
    problems.push({ field: "recipientEmails", message: "An email rule needs at least one recipient: an email address or a role." });
  }
  if (fields.channel === "sms" && fields.recipientPhones.length === 0) {
    problems.push({ field: "recipientPhones", message: "An SMS rule needs at least one phone number." });
  }
  if (fields.channel === "webhook" && !fields.webhookEndpointId) {
    problems.push({ field: "webhookEndpointId", message: "A webhook rule needs one of this workspace's webhook endpoints." });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, rule: { ...fields, name, recipientEmails: emails, recipientPhones: unique(phones), recipientRoles: roles } };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
