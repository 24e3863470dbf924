import type { RecoveryAttempt, TimelineEntry } from "./types";

// Pure formatting: amounts, dates and statuses in the merchant's words.

export function money(minor: number, currency: string, locale = "en-US"): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

export function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

export function when(iso: string | null, locale = "en-US"): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" }).format(
    new Date(iso),
  );
}

export type BadgeType = "neutral" | "urgent" | "warning" | "negative" | "positive" | "info";

export function statusOf(r: Pick<RecoveryAttempt, "status">, paused = false): { label: string; type: BadgeType } {
  switch (r.status) {
    case "pending":
      return paused ? { label: "Paused", type: "warning" } : { label: "Recovering", type: "info" };
    case "recovered":
      return { label: "Recovered", type: "positive" };
    case "failed":
      return { label: "Not recovered", type: "negative" };
    case "abandoned":
      return { label: "Closed", type: "neutral" };
  }
}

const words = (code: string) => code.replace(/_/g, " ");

export function describeEntry(e: TimelineEntry): string {
  switch (e.kind) {
    case "failure": {
      const who =
        e.source === "recoup"
          ? `Recoup's retry #${e.attemptNumber}`
          : e.source === "customer"
            ? "The customer's payment"
            : e.attemptNumber <= 1
              ? "Stripe's original charge"
              : `Stripe's own retry #${e.attemptNumber - 1}`;
      return `${who} failed${e.declineCode ? ` (${words(e.declineCode)})` : ""}`;
    }
    case "charge_succeeded":
      return e.source === "recoup" ? "Recoup's retry succeeded" : "Payment succeeded";
    case "email": {
      const seen = e.clickedAt ? ", clicked" : e.openedAt ? ", opened" : "";
      return `Email "${e.subject}" ${e.status === "scheduled" ? "scheduled" : "sent"}${seen}`;
    }
    case "outcome":
      return e.outcome === "recovered" ? "Recovered" : e.outcome === "failed" ? "Gave up: schedule exhausted" : `Closed${e.reasonCode ? `: ${words(e.reasonCode)}` : ""}`;
  }
}
