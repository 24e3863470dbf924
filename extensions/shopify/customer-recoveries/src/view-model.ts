// Pure: what the customer block shows, from what the backend answers. No React, no fetch.

/** One recovery as `GET /api/shopify-ext/customers/{gid}/recoveries` returns it (the RecoveryAttempt DTO). */
export interface RecoveryItem {
  id: string;
  stripeInvoiceId: string;
  stripeCustomerId: string;
  status: "pending" | "recovered" | "failed" | "abandoned";
  amountDueCents: number;
  recoveredAmountCents: number | null;
  currency: string;
  startedAt: string;
  endedAt: string | null;
  nextActionAt: string | null;
  nextActionReason: string | null;
}

export interface RecoveriesResponse {
  items: RecoveryItem[];
}

/** The admin Badge's tones; no tone is the neutral badge. */
export type BadgeTone = "info" | "success" | "warning" | "critical" | undefined;

export interface RecoveryRow {
  id: string;
  amount: string;
  status: { label: string; tone: BadgeTone };
  nextStep: string;
  href: string;
}

export type BlockState =
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "empty"; message: string }
  | { kind: "list"; summary: string; rows: RecoveryRow[] };

export const EMPTY_MESSAGE = "No failed payments for this customer";

/** Relative: the admin resolves it against the app's URL and adds the session token (see README). */
export function recoveriesPath(customerGid: string): string {
  return `/api/shopify-ext/customers/${encodeURIComponent(customerGid)}/recoveries`;
}

// `app:` links open the embedded app at that path under application_url (the embedded app lives at /app).
export function recoveryHref(recoveryId: string): string {
  return `app:app/recoveries/${encodeURIComponent(recoveryId)}`;
}
export const ALL_OPEN_HREF = "app:app?status=pending";

/** Minor units to a formatted amount, with the currency's own number of decimals (JPY 0, USD 2, KWD 3). */
export function money(minor: number, currency: string, locale = "en-US"): string {
  const code = currency.toUpperCase();
  try {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency: code });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${code}`;
  }
}

export function statusOf(status: RecoveryItem["status"]): { label: string; tone: BadgeTone } {
  switch (status) {
    case "pending":
      return { label: "Recovering", tone: "info" };
    case "recovered":
      return { label: "Recovered", tone: "success" };
    case "failed":
      return { label: "Not recovered", tone: "critical" };
    case "abandoned":
      return { label: "Closed", tone: undefined };
  }
}

function day(iso: string, locale: string, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", year: "numeric", timeZone }).format(new Date(iso));
}

/**
 * What happens next, in the merchant's words. The engine already writes its reason in plain
 * English ("Retrying on …: …", "Paused: …"); the fallbacks cover rows without one.
 */
export function nextStepOf(item: RecoveryItem, opts: { locale?: string; timeZone?: string } = {}): string {
  const reason = item.nextActionReason?.trim();
  if (reason) return reason;
  switch (item.status) {
    case "pending":
      return item.nextActionAt ? `Next step on ${day(item.nextActionAt, opts.locale ?? "en-US", opts.timeZone)}.` : "Nothing scheduled yet.";
    case "recovered":
      return "Recovered.";
    case "failed":
      return "Gave up: the retry schedule and reminders are exhausted.";
    case "abandoned":
      return "Closed.";
  }
}

export function rowOf(item: RecoveryItem, opts: { locale?: string; timeZone?: string } = {}): RecoveryRow {
  const minor = item.status === "recovered" ? (item.recoveredAmountCents ?? item.amountDueCents) : item.amountDueCents;
  return {
    id: item.id,
    amount: money(minor, item.currency, opts.locale),
    status: statusOf(item.status),
    nextStep: nextStepOf(item, opts),
    href: recoveryHref(item.id),
  };
}

export function blockStateOf(response: RecoveriesResponse, opts: { locale?: string; timeZone?: string } = {}): BlockState {
  if (response.items.length === 0) return { kind: "empty", message: EMPTY_MESSAGE };
  const n = response.items.length;
  return { kind: "list", summary: n === 1 ? "1 failed payment being recovered" : `${n} failed payments being recovered`, rows: response.items.map((i) => rowOf(i, opts)) };
}

/** Why the block could not load, for the merchant (never the server's internals). */
export function errorMessage(failure: { status: number } | { network: true }): string {
  if ("network" in failure) return "Recoup could not be reached. Check your connection, then try again.";
  if (failure.status === 401 || failure.status === 403) return "Recoup could not confirm your admin session. Reload the page, then try again.";
  if (failure.status === 503) return "Recoup is not fully set up yet, so it cannot show failed payments here. Ask whoever runs Recoup to finish the Shopify setup.";
  if (failure.status === 400 || failure.status === 404) return "Recoup did not recognise this customer.";
  return "Recoup could not load this customer's failed payments. Try again in a moment.";
}

/** The backend's answer, checked: anything that is not `{items: [...]}` is an error, not a crash. */
export function parseResponse(body: unknown): RecoveriesResponse | null {
  if (!body || typeof body !== "object" || !Array.isArray((body as { items?: unknown }).items)) return null;
  const items = (body as { items: unknown[] }).items;
  const ok = items.every(
    (i) =>
      !!i &&
      typeof i === "object" &&
      typeof (i as RecoveryItem).id === "string" &&
      typeof (i as RecoveryItem).amountDueCents === "number" &&
      typeof (i as RecoveryItem).currency === "string" &&
      ["pending", "recovered", "failed", "abandoned"].includes((i as RecoveryItem).status),
  );
  return ok ? { items: items as RecoveryItem[] } : null;
}
