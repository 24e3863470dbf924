import type { Settings } from "./types";

const hour = (h: number) => `${String(h).padStart(2, "0")}:00`;

/** The retry policy in force, one plain sentence per rule. */
export function policyLines(settings: Pick<Settings, "retryPolicy" | "workspace">): string[] {
  const p = settings.retryPolicy;
  const [from, to] = p.preferredLocalHours;
  return [
    `Up to ${p.maxRetries} retries over ${p.retryWindowDays} days, within the card networks' limits.`,
    from === to ? "Retries at any hour." : `Retries between ${hour(from)} and ${hour(to)} in the customer's time zone (${settings.workspace.timezone} when unknown).`,
    p.paydayAware ? "Retries lean towards paydays." : "Retries ignore paydays.",
    p.quietHours && p.quietHours.start !== p.quietHours.end ? `Nothing is sent between ${hour(p.quietHours.start)} and ${hour(p.quietHours.end)}.` : "No quiet hours.",
  ];
}
