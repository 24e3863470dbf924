// Whether an alert rule takes an event (ADR 0077). Pure: the alert-match job and the digests ask it
// (the digests ask the database the same question, whereOfFilter, for a whole period at once).
import type { AlertFilter } from "./schemas";

/** What a rule looks at: its switch, its event type and its filter. */
export interface MatchableRule {
  enabled: boolean;
  eventType: string;
  filter: AlertFilter;
}

/** An event's facts as WebhookEvent stores them (null: the event does not know). */
export interface MatchableEvent {
  alertEventType: string | null;
  amountMinor: number | null;
  provider: string | null;
  failureCode: string | null;
  paymentMethod: string | null;
}

function within(list: readonly string[] | undefined, value: string | null): boolean {
  // An empty list filters nothing, as an absent one.
  if (!list || list.length === 0) return true;
  return value !== null && list.includes(value);
}

/** Every filter must hold; a filter on a fact the event lacks does not hold. */
export function matchesFilter(filter: AlertFilter, event: MatchableEvent): boolean {
  if (filter.amountMinMinor !== undefined && (event.amountMinor === null || event.amountMinor < filter.amountMinMinor)) return false;
  return within(filter.providers, event.provider) && within(filter.failureCodes, event.failureCode) && within(filter.paymentMethods, event.paymentMethod);
}

export function matchesRule(rule: MatchableRule, event: MatchableEvent): boolean {
  return rule.enabled && event.alertEventType !== null && rule.eventType === event.alertEventType && matchesFilter(rule.filter, event);
}
