// Alert rules (ADR 0077): what a rule is, in Recoup's words. Flow Arc's contract (seed 001) maps its
// fields onto these; the dashboard's form does too.
import { z } from "zod";
import { ALERT_EVENT_TYPES, type AlertEventType } from "~/domain/webhooks/events.server";
import { FAILURE_CODES, PAYMENT_METHODS } from "~/domain/webhooks/schemas";

export { ALERT_EVENT_TYPES, type AlertEventType };
export const ALERT_CHANNELS = ["email", "sms", "webhook", "in_app"] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];
export const ALERT_CADENCES = ["realtime", "daily_digest", "weekly_digest"] as const;
export type AlertCadence = (typeof ALERT_CADENCES)[number];
export const FILTER_PROVIDERS = ["stripe", "dojo"] as const;
/** Flow Arc's failure codes and payment methods: the facts outbound events carry (app/domain/webhooks/schemas.ts). */
export const FILTER_FAILURE_CODES = FAILURE_CODES;
export const FILTER_PAYMENT_METHODS = PAYMENT_METHODS;
export const RECIPIENT_ROLES = ["owner", "admin", "member"] as const;

/** Recipients per list: enough for a team, not a mailing list. */
export const MAX_RECIPIENTS = 20;

/** What a rule's events must all have (an event lacking a fact a filter names does not match). */
export const AlertFilterSchema = z
  .object({
    amountMinMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    providers: z.array(z.enum(FILTER_PROVIDERS)).max(FILTER_PROVIDERS.length).optional(),
    failureCodes: z.array(z.enum(FILTER_FAILURE_CODES)).max(FILTER_FAILURE_CODES.length).optional(),
    paymentMethods: z.array(z.enum(FILTER_PAYMENT_METHODS)).max(FILTER_PAYMENT_METHODS.length).optional(),
  })
  .strict();
export type AlertFilter = z.output<typeof AlertFilterSchema>;

/** A rule as the domain stores and checks it. */
export interface AlertRuleFields {
  name: string;
  enabled: boolean;
  eventType: AlertEventType;
  channel: AlertChannel;
  cadence: AlertCadence;
  filter: AlertFilter;
  recipientEmails: string[];
  /** As given; stored as E.164. */
  recipientPhones: string[];
  recipientRoles: string[];
  /** The WebhookEndpoint's id (this workspace's), for the webhook channel. */
  webhookEndpointId: string | null;
}

export type AlertRuleField = keyof AlertRuleFields;

/** One field's problem: what the forms and contracts show beside the field. */
export interface RuleProblem {
  field: AlertRuleField;
  /** The item of a list, when one item is wrong. */
  index?: number;
  message: string;
}
