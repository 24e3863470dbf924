// A small Dojo-compatible HTTP server for tests: Dojo's REST API (the payment intent, refund and webhook
// calls Recoup makes) and its hosted checkout page, on one local port. Point the adapter at it with
//   process.env.DOJO_API_BASE = fake.url; process.env.DOJO_CHECKOUT_BASE = `${fake.url}/checkout`;
//
// It speaks Dojo's wire format as documented (Dojo API reference, version 2026-02-27, the same shapes as
// 2024-02-05 for these calls; dojo-engineering/dojo-samples; Dojo.Net's webhook verifier):
// - `Authorization: Basic <sk_sandbox_… | sk_prod_…>` (the key itself, not base64), else 401;
// - a `version: yyyy-mm-dd` header on every API call, else 400;
// - errors as RFC 7807 problem details: { type, title, status, detail?, errors?: { Field: [..] }, traceId };
// - payment intents: POST /payment-intents, GET /payment-intents/{id} (a Canceled one only with
//   ?returnCanceled=true, 404 otherwise), DELETE /payment-intents/{id} (Created → Canceled, else 400);
// - refunds: POST /payment-intents/{id}/refunds { amount, refundReason?, notes? } with a required
//   IdempotencyKey header; GET /payment-intents/refunds/{refundId}. Dojo's Refund has no status: a refund
//   is complete when answered, so the fake has no pending refunds. Partial refunds add to the intent's
//   refundedAmount and leave it Captured (Dojo has no "PartiallyRefunded" status); the refund that reaches
//   the total makes it Refunded;
// - GET /webhooks/events (the harmless read a key check uses);
// - webhooks: { id, event, accountId, createdAt, data: { paymentIntentId, paymentStatus, captureMode } }
//   POSTed with `dojo-signature: sha256=XX-XX-…` (app/providers/dojo/webhooks.ts signs), one
//   payment_intent.status_updated per status change, to the URL given with setWebhook().
// Where the documents are silent the fake decides, and says so:
// - IdempotencyKey is honoured on every POST, scoped to the key, the path and the API key: the same key
//   and body replay the saved answer; the same key with another body is a 409 Conflict (the API's
//   documented meaning of 409). Answers that are 429 or 5xx are not saved, so a retry runs again;
// - a declined card leaves the intent Created (PaymentIntentStatus has no declined value; paymentEventType
//   has Declined) with a Declined entry in paymentEvents, and sends no webhook (the status did not change);
// - webhooks are delivered once, not retried;
// - one Dojo account: every accepted key sees the same payment intents (idempotency is per key);
//   intents created with an `sk_sandbox_` key get `pi_sandbox_` ids, as Dojo's sandbox answers show.
//
// The hosted page: GET /checkout/<id> is a plain HTML page with a "Pay" form (POST /checkout/<id>/pay →
// pay() → 303 to the intent's config.redirectUrl) and a cancel link (→ config.cancelUrl), so a headless
// browser can click through it. Outages and failing() affect the API only, not the page.
import http from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { DojoPaymentEvent, DojoPaymentIntent, DojoRefund } from "~/providers/dojo/client.server";
import { DOJO_SIGNATURE_HEADER, signDojoWebhook } from "~/providers/dojo/webhooks";

export interface RecordedDojoRequest {
  method: string;
  /** Without the query string. */
  path: string;
  query: Record<string, string>;
  /** Every request header, names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON (API calls), decoded form fields (the checkout page's POSTs), else null. */
  body: unknown;
  rawBody: string;
  idempotencyKey: string | null;
  version: string | null;
  authorization: string | null;
  /** The HTTP status it was answered with, once answered. */
  answeredStatus?: number;
  /** Answered with the answer saved for its IdempotencyKey: nothing ran again. */
  replayed?: boolean;
}

export interface DojoEventBody {
  id: string;
  event: string;
  accountId: string;
  createdAt: string;
  data: { paymentIntentId: string; paymentStatus: string; captureMode: string };
}

export interface DojoWebhookDelivery {
  url: string;
  event: DojoEventBody;
  rawBody: string;
  signature: string;
  /** The receiver's HTTP status; null when it could not be reached (then `error`). */
  status: number | null;
  error: string | null;
}

/** A stored payment intent: Dojo's fields, and whatever else the create request carried. */
export type FakeDojoPaymentIntent = DojoPaymentIntent & Record<string, unknown>;
export type FakeDojoRefund = DojoRefund & { amount: number; createdAt: string };

export interface FakeDojo {
  url: string;
  port: number;
  requests: RecordedDojoRequest[];
  requestsTo(method: string, path: string | RegExp): RecordedDojoRequest[];
  webhookDeliveries: DojoWebhookDelivery[];
  /** The hosted page of a payment intent: `<url>/checkout/<id>` (https://pay.dojo.tech/checkout/<id> for real). */
  checkoutUrl(paymentIntentId: string): string;
  /** The live stored intent (mutations show up in later answers). */
  getPaymentIntent(id: string): FakeDojoPaymentIntent | undefined;
  getRefund(id: string): FakeDojoRefund | undefined;
  /**
   * What the customer finishing the hosted page does. Success: a Captured transaction, status Captured,
   * and the payment_intent.status_updated webhook, awaited (pay() resolves after its HTTP answer).
   * `decline`: a Declined transaction in paymentEvents, the intent stays Created, no webhook.
   * `email`: what the payer typed when the page asked for an address. Throws if the intent is not payable.
   */
  pay(paymentIntentId: string, opts?: { decline?: boolean; email?: string }): Promise<FakeDojoPaymentIntent>;
  /** Where status changes are POSTed, signed with `secret`; null stops them. Default events: payment_intent.status_updated. */
  setWebhook(subscription: { url: string; secret: string; events?: string[] } | null): void;
  /** Resolves once every webhook sent so far has been answered (those sent after API calls are not awaited by them). */
  webhooksSettled(): Promise<void>;
  /** While on, every API call is answered 503 before anything runs. */
  outage(on: boolean): void;
  /** While set, every API call is answered by turns with these statuses (429, 5xx) before anything runs; null ends it. */
  failing(statuses: number[] | null): void;
  /** The next `count` API calls are answered `status` (default 503) before anything runs; then calls run again. */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export interface FakeDojoOptions {
  /** Only these keys are accepted (others are answered 401). Default: any `sk_sandbox_…` or `sk_prod_…` key. */
  apiKeys?: string[];
  accountId?: string;
}

type Answer = { status: number; body: unknown };
type Ctx = { rec: RecordedDojoRequest; apiKey: string; sandbox: boolean; traceId: string };

const CURRENCIES = new Set(["GBP", "EUR"]);
const THIRTY_DAYS_MS = 30 * 86_400_000;

const base64url = (bytes: number) => randomBytes(bytes).toString("base64url");
const nowIso = () => new Date().toISOString();
const traceIdOf = () => `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;

function problem(ctx: { traceId: string }, status: number, title: string, extra: { detail?: string; errors?: Record<string, string[]> } = {}): Answer {
  const types: Record<number, string> = {
    400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    401: "https://tools.ietf.org/html/rfc7235#section-3.1",
    404: "https://tools.ietf.org/html/rfc7231#section-6.5.4",
    409: "https://tools.ietf.org/html/rfc7231#section-6.5.8",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc7231#section-6.6.1",
    503: "https://tools.ietf.org/html/rfc7231#section-6.6.4",
  };
  return { status, body: { type: types[status] ?? "about:blank", title, status, ...extra, traceId: ctx.traceId } };
}

const validation = (ctx: Ctx, errors: Record<string, string[]>) => problem(ctx, 400, "One or more validation errors occurred.", { errors });
const notFound = (ctx: Ctx, what: string) => problem(ctx, 404, "Not Found", { detail: `${what} was not found.` });

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function formatMoney(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(value / 100);
  } catch {
    return `${(value / 100).toFixed(2)} ${currency}`;
  }
}

const isMoney = (v: unknown): v is { value: number; currencyCode: string } =>
  !!v && typeof v === "object" && Number.isSafeInteger((v as { value?: unknown }).value) && typeof (v as { currencyCode?: unknown }).currencyCode === "string";

export async function startFakeDojo(opts: FakeDojoOptions = {}): Promise<FakeDojo> {
  const requests: RecordedDojoRequest[] = [];
  const webhookDeliveries: DojoWebhookDelivery[] = [];
  const intents = new Map<string, FakeDojoPaymentIntent>();
  const refunds = new Map<string, FakeDojoRefund>();
  const idempotency = new Map<string, { fingerprint: string; answer: Answer }>();
  const pendingWebhooks = new Set<Promise<void>>();
  const accountId = opts.accountId ?? `acc_${base64url(16)}`;
  let subscription: { url: string; secret: string; events: string[] } | null = null;
  let down = false;
  let failingStatuses: number[] | null = null;
  let failedAnswers = 0;
  const failQueue: number[] = [];
  let baseUrl = "";

  const matches = (pattern: string | RegExp, path: string) => (typeof pattern === "string" ? pattern === path : pattern.test(path));
  const checkoutUrl = (id: string) => `${baseUrl}/checkout/${encodeURIComponent(id)}`;
  /** Snapshot: an answer (and a replay) shows the intent as it was then. */
  const snapshot = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  // -------------------------------------------------------------------------------------------
  // Webhooks
  // -------------------------------------------------------------------------------------------

  async function deliver(sub: { url: string; secret: string }, event: DojoEventBody): Promise<void> {
    const rawBody = JSON.stringify(event);
    const signature = signDojoWebhook(rawBody, sub.secret);
    const delivery: DojoWebhookDelivery = { url: sub.url, event, rawBody, signature, status: null, error: null };
    webhookDeliveries.push(delivery);
    try {
      const res = await fetch(sub.url, {
        method: "POST",
        headers: { "content-type": "application/json", [DOJO_SIGNATURE_HEADER]: signature },
        body: rawBody,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      delivery.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** Sends `event` about `intent` to the subscription, if it takes that event. The promise settles after the answer. */
  function emit(eventName: string, intent: FakeDojoPaymentIntent): Promise<void> {
    const sub = subscription;
    if (!sub || !sub.events.includes(eventName)) return Promise.resolve();
    const event: DojoEventBody = {
      id: `evt_${base64url(16)}`,
      event: eventName,
      accountId,
      createdAt: nowIso(),
      data: { paymentIntentId: intent.id, paymentStatus: intent.status, captureMode: String(intent.captureMode ?? "Auto") },
    };
    const sending = deliver(sub, event);
    pendingWebhooks.add(sending);
    sending.finally(() => pendingWebhooks.delete(sending)).catch(() => undefined);
    return sending;
  }

  function setStatus(intent: FakeDojoPaymentIntent, status: string): Promise<void> {
    intent.status = status;
    intent.updatedAt = nowIso();
    return emit("payment_intent.status_updated", intent);
  }

  // -------------------------------------------------------------------------------------------
  // The customer's side
  // -------------------------------------------------------------------------------------------

  function payable(intent: FakeDojoPaymentIntent | undefined, id: string): FakeDojoPaymentIntent {
    if (!intent) throw new Error(`fake Dojo has no payment intent ${id}`);
    if (intent.status !== "Created") throw new Error(`fake Dojo: payment intent ${id} is ${intent.status}, it cannot be paid`);
    if (intent.expireAt && new Date(intent.expireAt).getTime() <= Date.now()) throw new Error(`fake Dojo: payment intent ${id} has expired`);
    return intent;
  }

  async function pay(id: string, options: { decline?: boolean; email?: string } = {}): Promise<FakeDojoPaymentIntent> {
    const intent = payable(intents.get(id), id);
    const at = nowIso();
    const transactionId = randomUUID();
    // Dojo's documented sandbox cards: 5200 0000 0000 1005 succeeds, 4456 5300 0000 1013 is declined.
    const card = options.decline
      ? { cardNumber: "44565300****1013", cardType: "VISA", expiryDate: "12/29" }
      : { cardNumber: "52000000****1005", cardType: "MASTERCARD", expiryDate: "12/29" };
    const event = (eventType: string, authCode: string): DojoPaymentEvent => ({
      transactionId,
      transactionDateTime: at,
      eventType,
      authCode,
      ...card,
      cardholderName: "Test Cardholder",
      paymentMethodId: "",
    });
    if (options.email || (!intent.customer?.emailAddress && intent.config?.customerEmail?.collectionRequired)) {
      intent.customer = { ...(intent.customer ?? {}), emailAddress: options.email ?? "payer@example.com" };
    }
    const events = (intent.paymentEvents ??= []);
    if (options.decline) {
      events.push(event("Declined", ""));
      intent.updatedAt = at;
      return snapshot(intent);
    }
    const authCode = String(100000 + (randomBytes(3).readUIntBE(0, 3) % 900000));
    events.push(event("Captured", authCode));
    intent.paymentDetails = {
      transactionId,
      transactionDateTime: at,
      message: "DEPOSITED",
      authCode,
      card: { cardNumber: card.cardNumber, cardName: "Test Cardholder", expiryDate: card.expiryDate, cardType: card.cardType },
    };
    await setStatus(intent, "Captured");
    return snapshot(intent);
  }

  function checkoutPage(id: string, notice: string | null): { status: number; html: string } {
    const intent = intents.get(id);
    const page = (title: string, body: string) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
    if (!intent || (intent.status === "Canceled" && !notice)) return { status: 404, html: page("Payment not found", "<h1>Payment not found</h1>") };
    const amount = intent.totalAmount ?? intent.amount;
    const head = `<h1>${escapeHtml(String(intent.config?.title ?? "Fake Merchant"))}</h1>
<p data-testid="amount">${escapeHtml(formatMoney(amount.value, amount.currencyCode))}</p>
<p data-testid="description">${escapeHtml(String(intent.description ?? ""))}</p>
<p data-testid="reference">${escapeHtml(String(intent.reference ?? ""))}</p>`;
    if (intent.status !== "Created") return { status: 200, html: page("Payment", `${head}<p role="status">This payment is ${escapeHtml(intent.status)}.</p>`) };
    const askEmail = !intent.customer?.emailAddress && intent.config?.customerEmail?.collectionRequired;
    const form = `<form method="post" action="/checkout/${encodeURIComponent(id)}/pay">
${askEmail ? '<label>Email <input type="email" name="email" required></label>' : ""}
<label><input type="checkbox" name="decline" value="1"> Use a card that is declined</label>
<button type="submit">Pay</button>
</form>
<p><a href="/checkout/${encodeURIComponent(id)}/cancel">Cancel</a></p>`;
    return { status: 200, html: page("Payment", `${head}${notice ? `<p role="alert">${escapeHtml(notice)}</p>` : ""}${form}`) };
  }

  async function handleCheckout(rec: RecordedDojoRequest, res: http.ServerResponse): Promise<boolean> {
    const page = rec.path.match(/^\/checkout\/([^/]+)$/);
    const payPost = rec.path.match(/^\/checkout\/([^/]+)\/pay$/);
    const cancel = rec.path.match(/^\/checkout\/([^/]+)\/cancel$/);
    const html = (status: number, body: string) => {
      rec.answeredStatus = status;
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" }).end(body);
    };
    const redirect = (location: string) => {
      rec.answeredStatus = 303;
      res.writeHead(303, { Location: location }).end();
    };
    if (page && rec.method === "GET") {
      const id = decodeURIComponent(page[1]);
      const { status, html: body } = checkoutPage(id, rec.query.declined ? "Your card was declined. Try another card." : null);
      html(status, body);
      return true;
    }
    if (payPost && rec.method === "POST") {
      const id = decodeURIComponent(payPost[1]);
      const form = (rec.body ?? {}) as Record<string, string>;
      try {
        const intent = await pay(id, { decline: form.decline === "1", email: form.email || undefined });
        if (intent.status !== "Captured") redirect(`/checkout/${encodeURIComponent(id)}?declined=1`);
        else redirect(intent.config?.redirectUrl || `/checkout/${encodeURIComponent(id)}`);
      } catch (err) {
        html(409, `<!doctype html><p role="alert">${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`);
      }
      return true;
    }
    if (cancel && rec.method === "GET") {
      const id = decodeURIComponent(cancel[1]);
      const intent = intents.get(id);
      // Dojo's cancel link only takes the customer back: the intent stays open until it expires or is canceled by API.
      if (intent?.config?.cancelUrl) redirect(intent.config.cancelUrl);
      else html(404, "<!doctype html><p>Nothing to go back to.</p>");
      return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // The API
  // -------------------------------------------------------------------------------------------

  function createIntent(ctx: Ctx): Answer {
    const body = ctx.rec.body;
    if (!body || typeof body !== "object" || Array.isArray(body)) return validation(ctx, { "": ["A non-empty request body is required."] });
    const b = body as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    if (!isMoney(b.amount)) errors.Amount = ["The Amount field is required."];
    else if (b.amount.value <= 0) errors["Amount.Value"] = ["The amount must be greater than 0."];
    else if (!CURRENCIES.has(b.amount.currencyCode)) errors["Amount.CurrencyCode"] = [`Currency '${b.amount.currencyCode}' is not supported.`];
    if (typeof b.reference !== "string" || b.reference.length < 1) errors.Reference = ["The Reference field is required."];
    else if (b.reference.length > 60) errors.Reference = ["The field Reference must be a string with a maximum length of 60."];
    if (b.description != null && (typeof b.description !== "string" || b.description.length > 4096)) errors.Description = ["The field Description must be a string with a maximum length of 4096."];
    const expireAt = b.expireAt == null ? null : new Date(String(b.expireAt));
    if (expireAt && (Number.isNaN(expireAt.getTime()) || expireAt.getTime() <= Date.now())) errors.ExpireAt = ["The ExpireAt must be a date in the future."];
    if (b.captureMode != null && b.captureMode !== "Auto" && b.captureMode !== "Manual") errors.CaptureMode = ["The CaptureMode must be Auto or Manual."];
    if (Object.keys(errors).length) return validation(ctx, errors);

    const amount = b.amount as { value: number; currencyCode: string };
    const created = nowIso();
    const id = `pi_${ctx.sandbox ? "sandbox_" : ""}${base64url(16)}`;
    const intent: FakeDojoPaymentIntent = {
      id,
      captureMode: (b.captureMode as string | undefined) ?? "Auto",
      cardHolderNotPresent: false,
      clientSessionSecret: base64url(96),
      clientSessionSecretExpirationDate: new Date(Date.now() + 30 * 60_000).toISOString(),
      status: "Created",
      paymentMethods: (b.paymentMethods as string[] | undefined) ?? ["Card"],
      amount: { value: amount.value, currencyCode: amount.currencyCode },
      totalAmount: { value: amount.value, currencyCode: amount.currencyCode },
      refundedAmount: 0,
      customer: (b.customer as FakeDojoPaymentIntent["customer"]) ?? null,
      createdAt: created,
      updatedAt: created,
      reference: b.reference as string,
      description: (b.description as string | null | undefined) ?? null,
      itemLines: (b.itemLines as unknown[] | undefined) ?? [],
      taxLines: [],
      merchantConfig: { supportedPaymentMethods: { cardSchemes: ["VISA", "MASTERCARD", "MAESTRO", "AMEX"], wallets: ["APPLE_PAY", "GOOGLE_PAY"] } },
      // What the request configured, and what Dojo adds from the merchant's settings.
      config: { ...((b.config as object | null | undefined) ?? {}), branding: {}, tradingName: "Fake Merchant" } as FakeDojoPaymentIntent["config"],
      paymentSource: "api",
      expireAt: (expireAt ?? new Date(Date.now() + THIRTY_DAYS_MS)).toISOString(),
      metadata: { ...((b.metadata as Record<string, string> | null | undefined) ?? {}) },
      paymentEvents: [],
      paymentLink: checkoutUrl(id),
      terminalSessionHistory: [],
      captures: [],
    };
    intents.set(id, intent);
    void emit("payment_intent.created", intent);
    return { status: 200, body: intent };
  }

  /** A Canceled intent is invisible unless asked for (GET …?returnCanceled=true). */
  const visible = (id: string, returnCanceled = false) => {
    const intent = intents.get(id);
    return intent && (intent.status !== "Canceled" || returnCanceled) ? intent : undefined;
  };

  function cancelIntent(ctx: Ctx, id: string): Answer {
    const intent = visible(id);
    if (!intent) return notFound(ctx, `Payment intent '${id}'`);
    if (intent.status !== "Created") return problem(ctx, 400, "Bad Request", { detail: `Payment intent in status ${intent.status} cannot be canceled.` });
    void setStatus(intent, "Canceled");
    return { status: 200, body: intent };
  }

  function createRefund(ctx: Ctx, id: string): Answer {
    if (!ctx.rec.idempotencyKey) return validation(ctx, { idempotencyKey: ["The idempotencyKey header is required."] });
    const intent = visible(id);
    if (!intent) return notFound(ctx, `Payment intent '${id}'`);
    const b = (ctx.rec.body ?? {}) as Record<string, unknown>;
    const total = (intent.totalAmount ?? intent.amount).value;
    const refunded = intent.refundedAmount ?? 0;
    const errors: Record<string, string[]> = {};
    if (!Number.isSafeInteger(b.amount) || (b.amount as number) <= 0) errors.Amount = ["The Amount must be a positive integer."];
    else if ((b.amount as number) > total - refunded) errors.Amount = [`The refund amount exceeds the amount available to refund (${total - refunded}).`];
    if (b.refundReason != null && (typeof b.refundReason !== "string" || b.refundReason.length > 1024)) errors.RefundReason = ["The field RefundReason must be a string with a maximum length of 1024."];
    if (b.notes != null && (typeof b.notes !== "string" || b.notes.length > 4096)) errors.Notes = ["The field Notes must be a string with a maximum length of 4096."];
    if (intent.status !== "Captured") return problem(ctx, 400, "Bad Request", { detail: `Payment intent in status ${intent.status} cannot be refunded.` });
    if (Object.keys(errors).length) return validation(ctx, errors);

    const refund: FakeDojoRefund = {
      paymentIntentId: intent.id,
      refundId: `rfnd_${base64url(12)}`,
      refundReason: (b.refundReason as string | null | undefined) ?? null,
      notes: (b.notes as string | null | undefined) ?? null,
      amount: b.amount as number,
      createdAt: nowIso(),
    };
    refunds.set(refund.refundId, refund);
    intent.refundedAmount = refunded + refund.amount;
    intent.updatedAt = refund.createdAt;
    if (intent.refundedAmount >= total) void setStatus(intent, "Refunded");
    const { paymentIntentId, refundId, refundReason, notes } = refund;
    return { status: 200, body: { paymentIntentId, refundId, refundReason, notes } };
  }

  const routes: Array<[string, RegExp, (ctx: Ctx, m: RegExpMatchArray) => Answer]> = [
    ["POST", /^\/payment-intents$/, (ctx) => createIntent(ctx)],
    [
      "GET",
      /^\/payment-intents\/refunds\/([^/]+)$/,
      (ctx, m) => {
        const refund = refunds.get(decodeURIComponent(m[1]));
        if (!refund) return notFound(ctx, `Refund '${decodeURIComponent(m[1])}'`);
        const { paymentIntentId, refundId, refundReason, notes } = refund;
        return { status: 200, body: { paymentIntentId, refundId, refundReason, notes } };
      },
    ],
    [
      "GET",
      /^\/payment-intents\/([^/]+)$/,
      (ctx, m) => {
        const id = decodeURIComponent(m[1]);
        const intent = visible(id, ctx.rec.query.returnCanceled?.toLowerCase() === "true");
        return intent ? { status: 200, body: intent } : notFound(ctx, `Payment intent '${id}'`);
      },
    ],
    ["DELETE", /^\/payment-intents\/([^/]+)$/, (ctx, m) => cancelIntent(ctx, decodeURIComponent(m[1]))],
    ["POST", /^\/payment-intents\/([^/]+)\/refunds$/, (ctx, m) => createRefund(ctx, decodeURIComponent(m[1]))],
    [
      "GET",
      /^\/webhooks\/events$/,
      () => ({
        status: 200,
        body: [
          { model: "PaymentIntent", events: ["payment_intent.created", "payment_intent.status_updated", "payment_intent.send-receipt"] },
        ],
      }),
    ],
  ];

  function handleApi(rec: RecordedDojoRequest): Answer {
    const traceId = traceIdOf();
    if (down) return problem({ traceId }, 503, "Service Unavailable");
    const failWith = failQueue.length ? failQueue.shift()! : failingStatuses ? failingStatuses[failedAnswers++ % failingStatuses.length]! : null;
    if (failWith !== null) return problem({ traceId }, failWith, failWith === 429 ? "Too Many Requests" : failWith === 503 ? "Service Unavailable" : "Internal Server Error");
    // Dojo takes the key literally after "Basic ": a base64 "user:password" pair is not a key.
    const key = rec.authorization?.match(/^Basic (sk_(sandbox|prod)_\S+)$/);
    if (!key || (opts.apiKeys && !opts.apiKeys.includes(key[1]))) return problem({ traceId }, 401, "Unauthorized");
    const ctx: Ctx = { rec, apiKey: key[1], sandbox: key[2] === "sandbox", traceId };
    if (!rec.version || !/^\d{4}-\d{2}-\d{2}$/.test(rec.version)) return validation(ctx, { version: ["The version header is required (yyyy-mm-dd)."] });
    if (rec.body === undefined) return validation(ctx, { "": ["The request body is not valid JSON."] });

    const idemKey = rec.method === "POST" && rec.idempotencyKey ? `${ctx.apiKey}\u0000${rec.path}\u0000${rec.idempotencyKey}` : null;
    const fingerprint = canonical(rec.body);
    if (idemKey) {
      const saved = idempotency.get(idemKey);
      if (saved && saved.fingerprint === fingerprint) {
        rec.replayed = true;
        return saved.answer;
      }
      if (saved) {
        return problem(ctx, 409, "Conflict", { detail: `The IdempotencyKey '${rec.idempotencyKey}' was already used with a different request.` });
      }
    }
    const route = routes.find(([method, re]) => method === rec.method && re.test(rec.path));
    let answer: Answer;
    try {
      answer = route ? route[2](ctx, rec.path.match(route[1])!) : notFound(ctx, `${rec.method} ${rec.path}`);
    } catch (err) {
      console.error("[fake-dojo] handler crashed", err);
      answer = problem(ctx, 500, "Internal Server Error", { detail: String(err) });
    }
    answer = { status: answer.status, body: snapshot(answer.body) };
    if (idemKey && answer.status !== 429 && answer.status < 500) idempotency.set(idemKey, { fingerprint, answer });
    return answer;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const form = (headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
      let body: unknown = null;
      if (rawBody) {
        if (form) body = Object.fromEntries(new URLSearchParams(rawBody));
        else {
          try {
            body = JSON.parse(rawBody);
          } catch {
            body = undefined; // answered 400 by the API
          }
        }
      }
      const rec: RecordedDojoRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
        rawBody,
        idempotencyKey: headers.idempotencykey ?? null,
        version: headers.version ?? null,
        authorization: headers.authorization ?? null,
      };
      requests.push(rec);
      try {
        if (await handleCheckout(rec, res)) return;
      } catch (err) {
        console.error("[fake-dojo] checkout page crashed", err);
        rec.answeredStatus = 500;
        res.writeHead(500).end();
        return;
      }
      const answer = handleApi(rec);
      rec.answeredStatus = answer.status;
      res.writeHead(answer.status, { "Content-Type": answer.status >= 400 ? "application/problem+json; charset=utf-8" : "application/json; charset=utf-8" });
      res.end(JSON.stringify(answer.body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    requests,
    requestsTo: (method, pattern) => requests.filter((r) => r.method === method.toUpperCase() && matches(pattern, r.path)),
    webhookDeliveries,
    checkoutUrl,
    getPaymentIntent: (id) => intents.get(id),
    getRefund: (id) => refunds.get(id),
    pay,
    setWebhook(sub) {
      subscription = sub ? { url: sub.url, secret: sub.secret, events: sub.events ?? ["payment_intent.status_updated"] } : null;
    },
    async webhooksSettled() {
      while (pendingWebhooks.size) await Promise.allSettled([...pendingWebhooks]);
    },
    outage(on) {
      down = on;
    },
    failing(statuses) {
      failingStatuses = statuses && statuses.length ? [...statuses] : null;
      failedAnswers = 0;
    },
    failNext(count, status = 503) {
      for (let i = 0; i < count; i++) failQueue.push(status);
    },
    async close() {
      await Promise.allSettled([...pendingWebhooks]);
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
