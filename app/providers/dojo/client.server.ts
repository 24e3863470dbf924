// A small typed client for Dojo's REST API (https://docs.dojo.tech/api), over fetch: only the calls the
// collection port needs. Wire facts it relies on (Dojo's OpenAPI, `Dojo API` 2026-02-27, and the
// dojo-engineering/dojo-samples curl samples):
// - base https://api.dojo.tech for sandbox and production alike: the key picks the environment;
// - `Authorization: Basic <secret key>`, the key itself (`sk_sandbox_…`, `sk_prod_…`), NOT base64 of
//   "user:password" as RFC 7617 Basic would be;
// - a `version: yyyy-mm-dd` header on every call (DOJO_API_VERSION);
// - JSON bodies, money as `{ value, currencyCode }` in minor units; errors as RFC 7807 problem details
//   (`type`, `title`, `status`, `detail`, `errors: { Field: [messages] }`, `traceId`);
// - `IdempotencyKey` header: documented (required) on refunds, "unique for each new refund on the payment
//   intent". The OpenAPI does not list it on payment intent creation; we send it there too (and on every
//   POST) so a retry can be recognised wherever Dojo honours it, and the fake honours it everywhere.
//
// The secret key lives in a private field and is never part of an error message (redact() runs over every
// message built from an answer, in case something upstream echoes the header back).
import { ProcessorRejectedError, ProcessorUnavailableError } from "~/domain/collect/processor";

/** The Dojo API version every call pins (the `version` header): the current one when this was written. */
export const DOJO_API_VERSION = "2026-02-27";

const DEFAULT_API_BASE = "https://api.dojo.tech";
const DEFAULT_CHECKOUT_BASE = "https://pay.dojo.tech/checkout";
const DEFAULT_TIMEOUT_MS = 15_000;
const RETRY_DELAY_MS = 250;

// The two bases are read from the environment on each call (not through env.server.ts) because they
// exist for tests and sandbox setups only: the fake Dojo (tests/fakes/dojo-server.ts) sets them to itself.
export function dojoApiBase(): string {
  return (process.env.DOJO_API_BASE || DEFAULT_API_BASE).replace(/\/+$/, "");
}

/** Dojo's hosted checkout page for a payment intent: `https://pay.dojo.tech/checkout/<paymentIntentId>` (Dojo's "payment links" guide). */
export function dojoCheckoutUrl(paymentIntentId: string): string {
  return `${(process.env.DOJO_CHECKOUT_BASE || DEFAULT_CHECKOUT_BASE).replace(/\/+$/, "")}/${encodeURIComponent(paymentIntentId)}`;
}

export interface DojoMoney {
  /** Minor units ("100" for 1.00 GBP). */
  value: number;
  /** ISO 4217; Dojo "Accepts GBP and EUR". */
  currencyCode: string;
}

/** Dojo's PaymentIntentStatus. A declined card does not change it: the intent stays Created and can be paid again. */
export type DojoPaymentIntentStatus = "Created" | "Authorized" | "Captured" | "Reversed" | "Refunded" | "Canceled";

/** One entry of a payment intent's `paymentEvents` (Dojo's PaymentStatusResponse). */
export interface DojoPaymentEvent {
  transactionId?: string | null;
  transactionDateTime?: string | null;
  /** paymentEventType: Created, Authorized, Captured, Reversed, Refunded, Canceled, AuthChallenged, Declined, ManualAuthReady, Error, Unknown. */
  eventType: string;
  authCode?: string | null;
  cardNumber?: string | null;
  expiryDate?: string | null;
  cardType?: string | null;
  cardholderName?: string | null;
  paymentMethodId?: string | null;
}

export interface DojoItemLine {
  id?: string;
  name?: string;
  quantity?: number;
  amountTotal: DojoMoney;
}

export interface DojoPaymentIntentConfig {
  title?: string | null;
  redirectUrl?: string | null;
  cancelUrl?: string | null;
  customerEmail?: { collectionRequired?: boolean } | null;
  details?: { showTotal?: boolean; showReference?: boolean } | null;
}

/** The fields of Dojo's CreatePaymentIntentRequest Recoup sends. */
export interface DojoCreatePaymentIntentRequest {
  amount: DojoMoney;
  /** 1–60 characters. */
  reference: string;
  description?: string | null;
  captureMode?: "Auto" | "Manual";
  customer?: { emailAddress?: string | null; phoneNumber?: string | null } | null;
  config?: DojoPaymentIntentConfig | null;
  itemLines?: DojoItemLine[] | null;
  /** When an unpaid intent is voided (ISO 8601 UTC); Dojo's default is 30 days after creation. */
  expireAt?: string | null;
  metadata?: Record<string, string> | null;
}

export interface DojoPaymentIntent {
  id: string;
  /** A DojoPaymentIntentStatus; typed loosely so a status added later reads instead of failing. */
  status: string;
  captureMode?: string | null;
  amount: DojoMoney;
  /** After tips, discounts and taxes: what the customer pays. */
  totalAmount?: DojoMoney | null;
  /** Minor units refunded so far. */
  refundedAmount?: number | null;
  reference?: string | null;
  description?: string | null;
  customer?: { id?: string | null; emailAddress?: string | null; phoneNumber?: string | null } | null;
  config?: DojoPaymentIntentConfig | null;
  createdAt: string;
  updatedAt?: string | null;
  expireAt?: string | null;
  metadata?: Record<string, string> | null;
  /** "These details about the payment will only populate once the status of the transaction is finalized." */
  paymentDetails?: {
    transactionId?: string | null;
    transactionDateTime?: string | null;
    message?: string | null;
    authCode?: string | null;
    card?: { cardNumber?: string | null; cardName?: string | null; expiryDate?: string | null; cardType?: string | null } | null;
  } | null;
  paymentEvents?: DojoPaymentEvent[] | null;
  paymentLink?: string | null;
}

export interface DojoCreateRefundRequest {
  /** Minor units of the intent's currency (a bare integer, not Money). */
  amount: number;
  /** At most 1024 characters. */
  refundReason?: string | null;
  /** At most 4096 characters. */
  notes?: string | null;
}

/** Dojo's Refund: it carries no status or amount; an answered refund has been accepted. */
export interface DojoRefund {
  paymentIntentId: string;
  refundId: string;
  refundReason?: string | null;
  notes?: string | null;
}

export interface DojoWebhookEventGroup {
  model: string;
  events: string[];
}

/** RFC 7807 problem details, as Dojo answers errors. */
interface DojoProblem {
  type?: string | null;
  title?: string | null;
  status?: number | null;
  detail?: string | null;
  errors?: Record<string, string[]> | null;
  traceId?: string | null;
}

type Method = "GET" | "POST" | "DELETE";

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Dojo's problem details in one line: its detail (or title), then each field's messages. */
function problemText(problem: DojoProblem | null, status: number): string {
  if (!problem) return `HTTP ${status}`;
  const head = problem.detail || problem.title || `HTTP ${status}`;
  const fields = Object.entries(problem.errors ?? {})
    .map(([field, messages]) => `${field}: ${(Array.isArray(messages) ? messages : [String(messages)]).join(" ")}`)
    .join("; ");
  return (fields ? `${head} (${fields})` : head).slice(0, 500);
}

/** A stable code for a refused request: Dojo's problem details carry a `type` URI, not a code. */
function rejectionCode(status: number): string {
  if (status === 400) return "invalid_request";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 422) return "unprocessable";
  return `http_${status}`;
}

export interface DojoClientOptions {
  /** Per attempt (AbortSignal.timeout). Default 15 s. */
  timeoutMs?: number;
  /** Before the one quick retry. Default 250 ms. */
  retryDelayMs?: number;
}

export class DojoClient {
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #retryDelayMs: number;

  constructor(apiKey: string, options: DojoClientOptions = {}) {
    this.#apiKey = apiKey;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
  }

  /** POST /payment-intents */
  createPaymentIntent(body: DojoCreatePaymentIntentRequest, idempotencyKey: string): Promise<DojoPaymentIntent> {
    return this.#request("POST", "/payment-intents", { body, idempotencyKey });
  }

  /**
   * GET /payment-intents/{id}?returnCanceled=true. Without the flag Dojo answers a Canceled intent with
   * 404, which would read as "no such payment" rather than "canceled".
   */
  getPaymentIntent(paymentIntentId: string): Promise<DojoPaymentIntent> {
    return this.#request("GET", `/payment-intents/${encodeURIComponent(paymentIntentId)}?returnCanceled=true`);
  }

  /** DELETE /payment-intents/{id}: only a Created intent can be canceled; it becomes Canceled. */
  cancelPaymentIntent(paymentIntentId: string): Promise<DojoPaymentIntent> {
    return this.#request("DELETE", `/payment-intents/${encodeURIComponent(paymentIntentId)}`);
  }

  /** POST /payment-intents/{id}/refunds, full or partial; the IdempotencyKey header is required. */
  createRefund(paymentIntentId: string, body: DojoCreateRefundRequest, idempotencyKey: string): Promise<DojoRefund> {
    return this.#request("POST", `/payment-intents/${encodeURIComponent(paymentIntentId)}/refunds`, { body, idempotencyKey });
  }

  /** GET /payment-intents/refunds/{refundId} */
  getRefund(refundId: string): Promise<DojoRefund> {
    return this.#request("GET", `/payment-intents/refunds/${encodeURIComponent(refundId)}`);
  }

  /** GET /webhooks/events: the event types the account can subscribe to. Harmless; used to check a key. */
  listWebhookEvents(): Promise<DojoWebhookEventGroup[]> {
    return this.#request("GET", "/webhooks/events");
  }

  /** Anything that looks like a Dojo secret key, and this key itself, out of a message. */
  #redact(message: string): string {
    let out = message;
    if (this.#apiKey.length >= 4) out = out.split(this.#apiKey).join("[redacted]");
    return out.replace(/sk_(?:sandbox|prod|test|live)_[A-Za-z0-9_-]+/g, "sk_…[redacted]");
  }

  async #request<T>(method: Method, path: string, options: { body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
    const label = `${method} ${path.split("?")[0]}`;
    const headers: Record<string, string> = {
      // Literally "Basic <key>", as Dojo documents it: no base64, no "user:" part.
      Authorization: `Basic ${this.#apiKey}`,
      version: DOJO_API_VERSION,
      Accept: "application/json",
    };
    // Serialised once: the retry sends the same bytes with the same key, so Dojo can recognise it.
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    if (options.idempotencyKey) headers.IdempotencyKey = options.idempotencyKey;

    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${dojoApiBase()}${path}`, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        if (attempt < 2) {
          await sleep(this.#retryDelayMs);
          continue;
        }
        // The error's name only (TimeoutError, TypeError "fetch failed", …): its cause may quote the request.
        const kind = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${this.#timeoutMs} ms` : error.name) : "network error";
        throw new ProcessorUnavailableError(`Dojo could not be reached (${kind}) on ${label}.`, "outage");
      }
      if (response.status >= 500 && attempt < 2) {
        await response.body?.cancel().catch(() => {});
        await sleep(this.#retryDelayMs);
        continue;
      }
      return this.#answer<T>(response, label);
    }
  }

  async #answer<T>(response: Response, label: string): Promise<T> {
    const text = await response.text().catch(() => "");
    let parsed: unknown = null;
    let readable = true;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        readable = false;
      }
    }
    const { status } = response;
    if (status >= 200 && status < 300) {
      if (!readable) throw new ProcessorUnavailableError(`Dojo answered ${label} with something other than JSON.`, "outage");
      return parsed as T;
    }
    const problem = readable && parsed && typeof parsed === "object" ? (parsed as DojoProblem) : null;
    const detail = this.#redact(problemText(problem, status));
    if (status === 401 || status === 403) {
      throw new ProcessorUnavailableError(`Dojo refused the API key on ${label} (HTTP ${status}: ${detail}).`, "auth");
    }
    if (status === 429) throw new ProcessorUnavailableError(`Dojo is rate limiting ${label} (HTTP 429).`, "rate_limited");
    if (status >= 500) throw new ProcessorUnavailableError(`Dojo failed on ${label} (HTTP ${status}: ${detail}).`, "outage");
    throw new ProcessorRejectedError(`Dojo refused ${label}: ${detail}`, rejectionCode(status));
  }
}
