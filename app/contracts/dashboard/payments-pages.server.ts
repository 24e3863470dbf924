import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { DateTime } from "luxon";
import { z } from "zod";
import { payLinkUrl, qrDataUrl } from "~/contracts/flow-arc/payment-requests.server";
import { can } from "~/domain/access/roles";
import { addDojoConnection, connectionFor, connectionsOf, routingOf, setRouting } from "~/domain/collect/connections.server";
import { parseMobile } from "~/domain/collect/mobile";
import {
  cancelPaymentRequest,
  createPaymentRequest,
  getPaymentRequest,
  paymentRequestHistory,
  payLinkCurrencies,
  payLinkForRecovery,
  setProviderOverride,
  type PaymentRequestView,
} from "~/domain/collect/payment-requests.server";
import {
  listWorkspacePaymentRequests,
  openPayLinkOfRecovery,
  paymentRequestScope,
  recoveryForPayLink,
  transactionByPublicId,
  transactionsOfPaymentRequest,
} from "~/domain/collect/reads.server";
import { createRefund } from "~/domain/collect/refunds.server";
import { isPaid } from "~/domain/collect/transactions.server";
import { resolveConnection, type ResolvedBy } from "~/domain/collect/routing";
import { AppError } from "~/domain/errors";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { readJson } from "~/http/body.server";
import { now } from "~/utils/clock.server";
import { env } from "~/utils/env.server";
import { currencyExponent, decimalToMinor, formatMoney, minorToDecimal } from "~/utils/money";
import type { ProviderConnection } from "../../../generated/prisma/client";
import { actionFailure, type ActionFailure, type Actor } from "./dashboard-session.server";
import { formatDate } from "./format";

// The Payments pages (pay-links, their payments and refunds, the provider connections and their
// routing chain; ADR 0075), server side: what the collect domain answers, in the merchant's words,
// and the pages' forms read back into the domain's inputs. Amounts are typed in major units and
// read into integer minor units from the decimal text itself, never through a float. The
// dashboard shows live and test data together (ADR 0032): a new link takes the mode of the
// provider it lands on. Every change is for owners and admins; members read.

export interface PaymentsCaller extends Actor {
  workspaceId: string;
  userId: string | null;
}
type CallerOf = (request: Request) => Promise<PaymentsCaller>;

const PER_PAGE = 25;

// ---------------------------------------------------------------------------------------------
// Who may change what

/** Why this teammate may only read the Payments pages; null for owners and admins. */
function readOnlyWords(actor: Actor): string | null {
  if (can(actor.role, "manage_connections")) return null;
  const who = actor.ownerLabel ? `Ask ${actor.ownerLabel} (the owner)` : "Ask the workspace's owner";
  return `Only admins can create, cancel or refund payments, or change payment providers. ${who} or an admin to make the change, or to make you an admin.`;
}

function requireWrite(actor: Actor): void {
  const refusal = readOnlyWords(actor);
  if (refusal) throw new AppError("forbidden", refusal);
}

// ---------------------------------------------------------------------------------------------
// Words

const PROVIDER_NAMES: Record<string, string> = { stripe: "Stripe", dojo: "Dojo" };
const providerName = (provider: string) => PROVIDER_NAMES[provider] ?? provider;

const LANDS_ON_WORDS: Record<ResolvedBy, string> = {
  primary: "primary",
  secondary: "secondary, while the primary can't be used",
  fallback: "secondary after fallback",
  override: "pinned",
};

/** An amount typed in major units ("24.99", "0.1", "12") as integer minor units, exactly; a sentence when it isn't one. */
export function amountToMinor(text: string, currency: string): { minor: number } | { error: string } {
  const value = text.trim();
  const exponent = currencyExponent(currency);
  if (!value) return { error: "Enter the amount, such as 24.99." };
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(value) || /^\d+,\d+$/.test(value)) {
    return { error: "Use a point for decimals and no thousands separators, such as 1250.50." };
  }
  const minor = decimalToMinor(value.replace(/^\./, "0.").replace(/\.$/, ""), currency);
  if (minor === null) {
    if (/^\d{1,12}\.\d+$/.test(value)) return { error: exponent ? `${currency} amounts have at most ${exponent} decimals.` : `${currency} has no decimals: enter a whole amount.` };
    return { error: "Enter an amount such as 24.99, without the currency sign." };
  }
  if (minor <= 0) return { error: "The amount must be more than zero." };
  if (minor > 99_999_999) return { error: `That's more than a pay-link can take: at most ${formatMoney(99_999_999, currency)}.` };
  return { minor };
}

function connectionOf(c: ProviderConnection) {
  return { id: c.id, label: c.label, provider: c.provider, providerName: providerName(c.provider), status: c.status, livemode: c.livemode };
}

/** The currencies a link landing on this connection can be in: GBP (Flow Arc's own) and its processor's. */

async function shareOf(shortCode: string, brandColor: string | null) {
  const url = payLinkUrl(shortCode);
  return { url, qr: await qrDataUrl(url, brandColor) };
}

function customerWords(row: { customerName: string | null; customerEmail: string | null; customerMobile: string | null }): string {
  return row.customerName ?? row.customerEmail ?? row.customerMobile ?? "";
}

/** A domain refusal's 404 (another workspace's id, a made-up one) as the page's 404. */
function notFoundAs404<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error) => {
    if (error instanceof AppError && ["payment_request_not_found", "transaction_not_found", "connection_not_found"].includes(error.code)) {
      throw data(error.code === "transaction_not_found" ? "No payment with that id in this workspace." : "No payment request with that id in this workspace.", { status: 404 });
    }
    throw error;
  });
}

const UUID = z.uuid();
const TX_ID = /^TX[0-9A-Za-z]{12}$/;

function requestIdOf(id: string | undefined): string {
  if (!id || !UUID.safeParse(id).success) throw data("No payment request with that id in this workspace.", { status: 404 });
  return id;
}

/** A validation failure naming its fields, as `actionFailure` answers it. */
function invalid(problems: Array<{ path: string; message: string }>): never {
  throw new AppError("validation_failed", problems.length === 1 ? problems[0]!.message : "Some fields need another look.", { errors: problems });
}

// ---------------------------------------------------------------------------------------------
// The list, and creating a pay-link

export const PAYMENT_TABS = ["all", "open", "succeeded", "cancelled", "expired"] as const;
export type PaymentTab = (typeof PAYMENT_TABS)[number];

export const PaymentListQuerySchema = z.object({
  status: z.enum(PAYMENT_TABS).catch("all"),
  q: z.string().trim().max(200).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

function rowOf(view: PaymentRequestView) {
  return {
    id: view.id,
    description: view.description,
    amount: formatMoney(view.amountMinor, view.currency),
    status: view.status,
    customer: customerWords(view),
    reference: view.customerReference,
    shortCode: view.shortCode,
    createdAt: view.createdAt.toISOString(),
    expiresAt: view.expiresAt?.toISOString() ?? null,
    livemode: view.livemode,
    isSetupTest: view.isSetupTest,
  };
}

/** What the create form offers: the connections a link may be pinned to, with the currencies each takes. */
function createOptions(chain: Awaited<ReturnType<typeof connectionsOf>>) {
  const connected = chain.connections.filter((c) => c.status === "connected");
  const routed = resolveConnection({ providerOverrideId: null, fallbackTriggeredAt: null, isSetupTest: false }, routingOf(chain.routing), chain.connections);
  const routedConnection = chain.connections.find((c) => c.id === routed.connectionId);
  return {
    routing: routedConnection ? { label: routedConnection.label, currencies: payLinkCurrencies(routedConnection) } : null,
    pins: connected.map((c) => ({ id: c.id, label: `${c.label} (${providerName(c.provider)}${c.livemode ? "" : ", test"})`, currencies: payLinkCurrencies(c) })),
  };
}

/** Where a page's CSV export is served, when its home has one (the dashboard does; the loader is shared). */
type ExportPaths = { exportPath?: string };

export function paymentListLoader(callerOf: CallerOf, basePath: string, paths: ExportPaths = {}) {
  return async ({ request }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const query = PaymentListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const [workspace, chain] = await Promise.all([getWorkspace(caller.workspaceId), connectionsOf(caller.workspaceId)]);
    const listed = await listWorkspacePaymentRequests({
      workspaceId: caller.workspaceId,
      status: query.status === "all" ? undefined : query.status,
      search: query.q || undefined,
      page: { mode: "offset", page: query.page, perPage: PER_PAGE },
    });
    const total = listed.total ?? listed.items.length;
    return {
      links: listed.items.map(rowOf),
      tab: query.status,
      search: query.q,
      page: query.page,
      totalPages: Math.max(1, Math.ceil(total / PER_PAGE)),
      total,
      hasProvider: chain.connections.some((c) => c.status === "connected"),
      create: createOptions(chain),
      readOnly: readOnlyWords(caller),
      timeZone: workspace.timezone,
      basePath,
      exportPath: paths.exportPath ?? null,
    };
  };
}

export type PaymentListLoader = ReturnType<typeof paymentListLoader>;

const text = (max: number) => z.string().max(max, { error: "That's longer than this field takes." }).default("");

/** The create form as typed: strings, read into the domain's input by `createInputOf`. */
const CreateFormSchema = z.object({
  amount: text(40),
  currency: text(10),
  description: text(500),
  customerName: text(120),
  customerEmail: text(320),
  customerMobile: text(40),
  reference: text(120),
  expiresAt: text(40),
  providerOverrideId: text(100),
});
export type CreateForm = z.input<typeof CreateFormSchema>;

const ListActionSchema = z.object({ intent: z.literal("create"), form: z.record(z.string(), z.unknown()) });

/** A link's expiry typed as the browser's date and time ("2026-12-01T17:00"), in the workspace's time zone. */
function expiryOf(value: string, timeZone: string): Date | { error: string } {
  const parsed = DateTime.fromISO(value, { zone: timeZone });
  if (!parsed.isValid) return { error: "Enter a date and time, such as 2026-12-01 17:00." };
  if (parsed.toMillis() <= now().getTime()) return { error: "Choose a time in the future, or leave it empty for a link that doesn't expire." };
  return parsed.toJSDate();
}

async function createFromForm(caller: PaymentsCaller, raw: unknown) {
  const form = CreateFormSchema.parse(raw);
  const [workspace, chain] = await Promise.all([getWorkspace(caller.workspaceId), connectionsOf(caller.workspaceId)]);
  const problems: Array<{ path: string; message: string }> = [];
  const currency = (form.currency.trim() || "GBP").toUpperCase();
  const pin = form.providerOverrideId.trim() || null;
  const pinned = pin ? chain.connections.find((c) => c.id === pin && c.status === "connected") : undefined;
  if (pin && !pinned) problems.push({ path: "providerOverrideId", message: "Choose a connected provider, or leave the link to the routing chain." });
  const resolved = resolveConnection({ providerOverrideId: pinned?.id ?? null, fallbackTriggeredAt: null, isSetupTest: false }, routingOf(chain.routing), chain.connections);
  const landsOn = chain.connections.find((c) => c.id === resolved.connectionId);
  if (!landsOn) {
    throw new AppError("provider_connection_invalid", "No payment provider is connected yet: connect Stripe or add Dojo on the Providers page first.");
  }
  if (!/^[A-Z]{3}$/.test(currency)) problems.push({ path: "currency", message: "Choose a currency, such as GBP." });
  else if (!payLinkCurrencies(landsOn).includes(currency)) {
    problems.push({ path: "currency", message: `${landsOn.label} doesn't take ${currency}: choose one of ${payLinkCurrencies(landsOn).join(", ")}.` });
  }
  const amount = amountToMinor(form.amount, /^[A-Z]{3}$/.test(currency) ? currency : "GBP");
  if ("error" in amount) problems.push({ path: "amount", message: amount.error });
  const description = form.description.trim();
  if (!description) problems.push({ path: "description", message: "Say what the payment is for: the customer sees it on the pay page." });
  const email = form.customerEmail.trim();
  if (email && !z.email().safeParse(email).success) problems.push({ path: "customerEmail", message: "Enter an email address such as ada@example.com." });
  let mobile: string | null = null;
  if (form.customerMobile.trim()) {
    mobile = parseMobile(form.customerMobile);
    if (!mobile) problems.push({ path: "customerMobile", message: "That isn't a phone number: enter a UK mobile such as 07911 123456, or one with its country code such as +33 6 12 34 56 78." });
  }
  let expiresAt: Date | null = null;
  if (form.expiresAt.trim()) {
    const expiry = expiryOf(form.expiresAt.trim(), workspace.timezone);
    if (expiry instanceof Date) expiresAt = expiry;
    else problems.push({ path: "expiresAt", message: expiry.error });
  }
  if (problems.length || "error" in amount) invalid(problems);
  try {
    const view = await createPaymentRequest({
      workspaceId: caller.workspaceId,
      livemode: landsOn.livemode,
      createdVia: "dashboard",
      createdByUserId: caller.userId,
      amountMinor: amount.minor,
      currency,
      description,
      customerName: form.customerName.trim() || null,
      customerEmail: email || null,
      customerMobile: mobile,
      customerReference: form.reference.trim() || null,
      expiresAt,
      providerOverrideId: pinned?.id ?? null,
    });
    return { view, brandColor: workspace.brandColor };
  } catch (error) {
    // The pin was disconnected between the page's load and this click.
    if (error instanceof AppError && error.code === "provider_connection_invalid") invalid([{ path: "providerOverrideId", message: error.message }]);
    throw error;
  }
}

/** What the page shows of a link it just made: where to send the customer. */
async function createdOf(view: PaymentRequestView, brandColor: string | null) {
  return {
    id: view.id,
    description: view.description,
    amount: formatMoney(view.amountMinor, view.currency),
    amountMinor: view.amountMinor,
    customerMobile: view.customerMobile,
    livemode: view.livemode,
    ...(await shareOf(view.shortCode, brandColor)),
  };
}

/** "Create payment request": the link's URL and QR code, or each field's problem. */
export function paymentListAction(callerOf: CallerOf) {
  return async ({ request }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      const body = await readJson(request, ListActionSchema);
      requireWrite(caller);
      const { view, brandColor } = await createFromForm(caller, body.form);
      return { ok: true as const, intent: "create" as const, toast: `Payment request for ${formatMoney(view.amountMinor, view.currency)} created`, link: await createdOf(view, brandColor) };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type PaymentListAction = ReturnType<typeof paymentListAction>;

// ---------------------------------------------------------------------------------------------
// A pay-link's page

type Connections = ProviderConnection[];

function labelOf(connections: Connections, id: string | null): string | null {
  if (!id) return null;
  return connections.find((c) => c.id === id)?.label ?? "a provider connection that was removed";
}

/** One event of a link's history, in words. */
function historyEntry(event: { id: string; kind: string; connectionId: string | null; detail: string | null; at: Date }, connections: Connections) {
  const on = labelOf(connections, event.connectionId);
  const entry = (title: string, detail: string | null = null, tone: "success" | "critical" | "attention" | "info" | null = null) => ({ id: event.id, kind: event.kind, at: event.at.toISOString(), title, detail, tone });
  switch (event.kind) {
    case "created":
      return entry(on ? `Created, pinned to ${on}` : "Created");
    case "override_changed":
      return entry(on ? `Pinned to ${on}` : "Returned to the routing chain", on ? "Every click lands on this provider while it is connected." : "Clicks land on the primary provider, or the secondary after a fallback.");
    case "fallback_triggered":
      return entry(`Fell back to the secondary: ${on ?? "the primary"} couldn't be used`, event.detail, "attention");
    case "checkout_opened":
      return entry(`The customer opened checkout on ${on ?? "a provider"}`);
    case "checkout_failed":
      return entry(`Checkout couldn't be opened on ${on ?? "a provider"}`, event.detail, "critical");
    case "succeeded":
      return entry(`Paid${on ? ` through ${on}` : ""}`, event.detail, "success");
    case "cancelled":
      return entry("Cancelled: the link can no longer be paid");
    case "duplicate_payment":
      return entry("Paid a second time", event.detail, "critical");
    default:
      return entry(event.kind.replace(/_/g, " "), event.detail);
  }
}

function transactionRow(t: { publicId: string; provider: string; status: string; amountMinor: number; currency: string; refundedMinor: number; createdAt: Date }) {
  return {
    publicId: t.publicId,
    provider: providerName(t.provider),
    status: t.status,
    amount: formatMoney(t.amountMinor, t.currency),
    refunded: t.refundedMinor ? formatMoney(t.refundedMinor, t.currency) : null,
    createdAt: t.createdAt.toISOString(),
  };
}

export function paymentDetailLoader(callerOf: CallerOf, basePath: string, paths: ExportPaths = {}) {
  return async ({ request, params }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const scope = await notFoundAs404(paymentRequestScope({ workspaceId: caller.workspaceId, id: requestIdOf(params.id) }));
    const [workspace, chain, view, history, transactions] = await Promise.all([
      getWorkspace(caller.workspaceId),
      connectionsOf(caller.workspaceId),
      getPaymentRequest(scope),
      paymentRequestHistory(scope),
      transactionsOfPaymentRequest({ workspaceId: caller.workspaceId, paymentRequestId: scope.id }),
    ]);
    const resolution = resolveConnection(view, routingOf(chain.routing), chain.connections);
    const landsOn = chain.connections.find((c) => c.id === resolution.connectionId);
    const pinnable = chain.connections.filter((c) => c.status === "connected" || (view.isSetupTest && c.status === "setup_incomplete") || c.id === view.providerOverrideId);
    return {
      link: {
        id: view.id,
        description: view.description,
        amount: formatMoney(view.amountMinor, view.currency),
        status: view.status,
        livemode: view.livemode,
        isSetupTest: view.isSetupTest,
        shortCode: view.shortCode,
        customer: { name: view.customerName, email: view.customerEmail, mobile: view.customerMobile },
        reference: view.customerReference,
        recoveryId: view.recoveryId,
        providerOverrideId: view.providerOverrideId,
        createdAt: view.createdAt.toISOString(),
        expiresAt: view.expiresAt?.toISOString() ?? null,
        cancelledAt: view.cancelledAt?.toISOString() ?? null,
        succeededAt: view.succeededAt?.toISOString() ?? null,
        fallbackTriggeredAt: view.fallbackTriggeredAt?.toISOString() ?? null,
        ...(await shareOf(view.shortCode, workspace.brandColor)),
      },
      landsOn: landsOn && resolution.by ? { label: landsOn.label, providerName: providerName(landsOn.provider), how: LANDS_ON_WORDS[resolution.by] } : null,
      history: history.map((e) => historyEntry(e, chain.connections)),
      transactions: transactions.map(transactionRow),
      pins: pinnable.map((c) => ({ id: c.id, label: `${c.label} (${providerName(c.provider)})` })),
      readOnly: readOnlyWords(caller),
      timeZone: workspace.timezone,
      basePath,
      transactionsExportUrl: paths.exportPath ? `${paths.exportPath}?${new URLSearchParams({ payment: view.id })}` : null,
    };
  };
}

export type PaymentDetailLoader = ReturnType<typeof paymentDetailLoader>;

const DetailActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("cancel") }),
  z.object({ intent: z.literal("pin"), providerOverrideId: z.string().max(100).nullable() }),
]);

/** The 4th provider change in 10 minutes: when the next is allowed, in the workspace's time. */
async function rateLimitedFailure(caller: PaymentsCaller, error: AppError) {
  const seconds = Number(error.meta?.retry_after_seconds ?? 600);
  const at = new Date(now().getTime() + seconds * 1000);
  const { timezone } = await getWorkspace(caller.workspaceId);
  const message = `This pay-link's provider was changed 3 times in the last 10 minutes. Try again after ${formatDate(at.toISOString(), timezone)}.`;
  return data<ActionFailure & { retryAt: string }>({ ok: false, message, fieldErrors: {}, retryAt: at.toISOString() }, { status: 429 });
}

export function paymentDetailAction(callerOf: CallerOf) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      const body = await readJson(request, DetailActionSchema);
      requireWrite(caller);
      const id = params.id && UUID.safeParse(params.id).success ? params.id : "";
      if (!id) throw new AppError("payment_request_not_found", "No payment request with that id in this workspace.");
      const scope = await paymentRequestScope({ workspaceId: caller.workspaceId, id });
      if (body.intent === "cancel") {
        await cancelPaymentRequest(scope);
        return { ok: true as const, intent: "cancel" as const, toast: "Payment request cancelled: the link can no longer be paid." };
      }
      const pin = body.providerOverrideId || null;
      if (pin && !UUID.safeParse(pin).success) invalid([{ path: "providerOverrideId", message: "Choose a provider from the list." }]);
      const view = await setProviderOverride({ ...scope, providerOverrideId: pin });
      const chain = await connectionsOf(caller.workspaceId);
      const toast = pin ? `Pinned to ${labelOf(chain.connections, view.providerOverrideId)}` : "Returned to the routing chain";
      return { ok: true as const, intent: "pin" as const, toast };
    } catch (error) {
      if (error instanceof AppError && error.code === "override_rate_limited") return rateLimitedFailure(caller, error);
      if (error instanceof AppError && error.code === "provider_connection_invalid") return actionFailure(new AppError("provider_connection_invalid", error.message, { errors: [{ path: "providerOverrideId", message: error.message }] }));
      return actionFailure(error);
    }
  };
}

export type PaymentDetailAction = ReturnType<typeof paymentDetailAction>;

// ---------------------------------------------------------------------------------------------
// A payment (transaction) and its refunds

const AttemptSchema = z.object({
  status: z.string().catch("unknown"),
  paymentId: z.string().catch(""),
  attemptedAt: z.string().nullable().catch(null),
  errorMessage: z.string().nullable().catch(null),
  paymentMethod: z.string().nullable().catch(null),
});

/** The processor's deposit attempts as stored (newest first); anything unreadable is left out. */
function attemptsOf(json: unknown) {
  if (!Array.isArray(json)) return [];
  return json.flatMap((a) => {
    const parsed = AttemptSchema.safeParse(a);
    return parsed.success ? [parsed.data] : [];
  });
}

function transactionIdOf(id: string | undefined): string {
  if (!id || !TX_ID.test(id)) throw data("No payment with that id in this workspace.", { status: 404 });
  return id;
}

export function transactionLoader(callerOf: CallerOf, basePath: string) {
  return async ({ request, params }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const [t, workspace, chain] = await Promise.all([
      notFoundAs404(transactionByPublicId({ workspaceId: caller.workspaceId, publicId: transactionIdOf(params.id) })),
      getWorkspace(caller.workspaceId),
      connectionsOf(caller.workspaceId),
    ]);
    const refundable = isPaid(t.status) && t.refundableMinor > 0;
    return {
      transaction: {
        publicId: t.publicId,
        amount: formatMoney(t.amountMinor, t.currency),
        currency: t.currency,
        status: t.status,
        refunded: formatMoney(t.refundedMinor, t.currency),
        refundable: formatMoney(t.refundableMinor, t.currency),
        refundableText: minorToDecimal(t.refundableMinor, t.currency),
        provider: providerName(t.provider),
        connectionLabel: labelOf(chain.connections, t.connectionId),
        livemode: t.livemode,
        payerEmail: t.payerEmail,
        failure: t.failure,
        createdAt: t.createdAt.toISOString(),
        paidAt: t.paidAt?.toISOString() ?? null,
        attempts: attemptsOf(t.attempts),
        paymentRequest: t.paymentRequest ? { id: t.paymentRequest.id, description: t.paymentRequest.description } : null,
      },
      refunds: t.refunds.map((r) => ({ publicId: r.publicId, status: r.status, amount: formatMoney(r.amountMinor, r.currency), reason: r.reason, createdAt: r.createdAt.toISOString() })),
      canRefund: refundable,
      readOnly: readOnlyWords(caller),
      timeZone: workspace.timezone,
      basePath,
    };
  };
}

export type TransactionLoader = ReturnType<typeof transactionLoader>;

const RefundSchema = z.object({ intent: z.literal("refund"), amount: text(40), reason: text(500) });

const REFUND_TOASTS: Record<string, string> = {
  completed: "refunded",
  processing: "refund sent to the provider",
  pending: "refund recorded: it goes to the provider in a moment",
  failed: "refund failed at the provider",
  rejected: "refund refused by the provider",
};

export function transactionAction(callerOf: CallerOf) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      const body = await readJson(request, RefundSchema);
      requireWrite(caller);
      const publicId = params.id && TX_ID.test(params.id) ? params.id : "";
      if (!publicId) throw new AppError("transaction_not_found", "No payment with that id in this workspace.");
      const t = await transactionByPublicId({ workspaceId: caller.workspaceId, publicId });
      const problems: Array<{ path: string; message: string }> = [];
      let amountMinor: number | null = null;
      if (body.amount.trim()) {
        const amount = amountToMinor(body.amount, t.currency);
        if ("error" in amount) problems.push({ path: "amount", message: amount.error });
        else if (amount.minor > t.refundableMinor) {
          problems.push({ path: "amount", message: t.refundableMinor ? `At most ${formatMoney(t.refundableMinor, t.currency)} is left to refund.` : "Nothing is left to refund." });
        } else amountMinor = amount.minor;
      }
      const reason = body.reason.trim();
      if (!reason) problems.push({ path: "reason", message: "Give a reason: it is kept with the refund." });
      if (problems.length) invalid(problems);
      try {
        const refund = await createRefund({ workspaceId: caller.workspaceId, transactionId: t.id, amountMinor, reason });
        const what = formatMoney(refund.amountMinor, refund.currency);
        return { ok: true as const, intent: "refund" as const, toast: `${what} ${REFUND_TOASTS[refund.status] ?? refund.status}`, refund: { publicId: refund.publicId, status: refund.status } };
      } catch (error) {
        // The domain's eligibility answers: an amount's beside the amount field, in the page's words.
        if (error instanceof AppError && error.code === "validation_failed" && error.message.startsWith("amount:")) {
          const left = await transactionByPublicId({ workspaceId: caller.workspaceId, publicId });
          invalid([{ path: "amount", message: left.refundableMinor ? `At most ${formatMoney(left.refundableMinor, left.currency)} is left to refund.` : "Nothing is left to refund." }]);
        }
        throw error;
      }
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type TransactionAction = ReturnType<typeof transactionAction>;

// ---------------------------------------------------------------------------------------------
// Provider connections and the routing chain

const STATUS_WORDS: Record<string, string> = {
  setup_incomplete: "Open a £0.01 test link and pay it: the payment verifies the connection, and it can then take pay-links.",
  connected: "Takes pay-links.",
  disconnected: "Takes no pay-links: reconnect it to use it again.",
};

function webhookUrlOf(connection: { id: string; provider: string }): string | null {
  return connection.provider === "dojo" ? `${env().APP_URL.replace(/\/$/, "")}/webhooks/dojo/${connection.id}` : null;
}

export function providersLoader(callerOf: CallerOf, basePath: string) {
  return async ({ request }: LoaderFunctionArgs) => {
    const caller = await callerOf(request);
    const [workspace, chain] = await Promise.all([getWorkspace(caller.workspaceId), connectionsOf(caller.workspaceId)]);
    return {
      connections: chain.connections.map((c) => ({
        ...connectionOf(c),
        statusWords: STATUS_WORDS[c.status] ?? "",
        apiKeyLast4: c.apiKeyLast4,
        webhookUrl: webhookUrlOf(c),
        verifiedAt: c.verifiedAt?.toISOString() ?? null,
        lastFailureAt: c.lastFailureAt?.toISOString() ?? null,
        lastFailure: c.lastFailure,
        canTest: c.status !== "disconnected",
      })),
      routing: { primaryConnectionId: chain.routing?.primaryConnectionId ?? null, secondaryConnectionId: chain.routing?.secondaryConnectionId ?? null },
      routable: chain.connections.filter((c) => c.status === "connected").map((c) => ({ id: c.id, label: `${c.label} (${providerName(c.provider)})` })),
      hasStripe: chain.connections.some((c) => c.provider === "stripe" && c.status !== "disconnected"),
      readOnly: readOnlyWords(caller),
      timeZone: workspace.timezone,
      basePath,
    };
  };
}

export type ProvidersLoader = ReturnType<typeof providersLoader>;

const ProvidersActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add-dojo"), label: text(100), apiKey: text(500), webhookSecret: text(500) }),
  z.object({ intent: z.literal("routing"), primaryConnectionId: text(100), secondaryConnectionId: text(100) }),
  z.object({ intent: z.literal("setup-test"), connectionId: text(100) }),
]);

async function addDojo(caller: PaymentsCaller, body: { label: string; apiKey: string; webhookSecret: string }) {
  const apiKey = body.apiKey.trim();
  const webhookSecret = body.webhookSecret.trim();
  const problems: Array<{ path: string; message: string }> = [];
  if (!apiKey) problems.push({ path: "apiKey", message: "Paste the secret key from Dojo's Developer Portal (sk_prod_… or sk_sandbox_…)." });
  else if (!/^sk_(prod|sandbox)_\S+$/.test(apiKey)) problems.push({ path: "apiKey", message: "A Dojo secret key starts with sk_prod_ or sk_sandbox_." });
  if (!webhookSecret) problems.push({ path: "webhookSecret", message: "Paste the webhook signing secret Dojo showed when you added the webhook." });
  if (problems.length) invalid(problems);
  try {
    const connection = await addDojoConnection({ workspaceId: caller.workspaceId, label: body.label.trim() || undefined, apiKey, webhookSecret });
    return { ok: true as const, intent: "add-dojo" as const, toast: `${connection.label} added`, added: { id: connection.id, label: connection.label, webhookUrl: webhookUrlOf(connection)! } };
  } catch (error) {
    if (error instanceof AppError && (error.code === "provider_connection_invalid" || error.code === "validation_failed")) invalid([{ path: "apiKey", message: error.message }]);
    throw error;
  }
}

async function saveRouting(caller: PaymentsCaller, body: { primaryConnectionId: string; secondaryConnectionId: string }) {
  const primary = body.primaryConnectionId.trim();
  const secondary = body.secondaryConnectionId.trim() || null;
  const problems: Array<{ path: string; message: string }> = [];
  if (!primary || !UUID.safeParse(primary).success) problems.push({ path: "primaryConnectionId", message: "Choose the provider pay-links land on first." });
  if (secondary && !UUID.safeParse(secondary).success) problems.push({ path: "secondaryConnectionId", message: "Choose a provider from the list, or none." });
  if (problems.length) invalid(problems);
  // Each refusal beside the select it is about (setRouting names the first it finds).
  const before = await connectionsOf(caller.workspaceId);
  for (const [path, id] of [["primaryConnectionId", primary], ["secondaryConnectionId", secondary]] as const) {
    const connection = before.connections.find((c) => c.id === id);
    if (connection && connection.status !== "connected") {
      problems.push({ path, message: `${connection.label} is ${connection.status.replace("_", " ")}: only a connected provider can be in the routing chain.` });
    }
  }
  if (secondary && secondary === primary) problems.push({ path: "secondaryConnectionId", message: "The secondary must be a different connection from the primary." });
  if (problems.length) invalid(problems);
  try {
    await setRouting({ workspaceId: caller.workspaceId, primaryConnectionId: primary, secondaryConnectionId: secondary });
  } catch (error) {
    if (error instanceof AppError && error.code === "provider_connection_invalid") invalid([{ path: "primaryConnectionId", message: error.message }]);
    throw error;
  }
  const chain = await connectionsOf(caller.workspaceId);
  const secondaryLabel = labelOf(chain.connections, secondary);
  return {
    ok: true as const,
    intent: "routing" as const,
    toast: `Routing saved: pay-links land on ${labelOf(chain.connections, primary)}${secondaryLabel ? `, then ${secondaryLabel} if it can't be used` : ""}.`,
  };
}

async function setupTest(caller: PaymentsCaller, body: { connectionId: string }) {
  const id = body.connectionId.trim();
  if (!UUID.safeParse(id).success) throw new AppError("connection_not_found", "No provider connection with that id in this workspace.");
  const connection = await connectionFor({ workspaceId: caller.workspaceId, connectionId: id });
  const view = await createPaymentRequest({
    workspaceId: caller.workspaceId,
    livemode: connection.livemode,
    createdVia: "dashboard",
    createdByUserId: caller.userId,
    amountMinor: 1,
    currency: "GBP",
    description: "Setup test",
    providerOverrideId: connection.id,
    isSetupTest: true,
  });
  return {
    ok: true as const,
    intent: "setup-test" as const,
    toast: `Test link for ${connection.label} created`,
    test: { connectionId: connection.id, id: view.id, url: payLinkUrl(view.shortCode) },
  };
}

export function providersAction(callerOf: CallerOf) {
  return async ({ request }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      const body = await readJson(request, ProvidersActionSchema);
      requireWrite(caller);
      if (body.intent === "add-dojo") return await addDojo(caller, body);
      if (body.intent === "routing") return await saveRouting(caller, body);
      return await setupTest(caller, body);
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type ProvidersAction = ReturnType<typeof providersAction>;

// ---------------------------------------------------------------------------------------------
// A pay-link for an open recovery (the recovery's page)

const OPEN_RECOVERY = new Set(["pending", "failed"]);

/** The recovery page's pay-link card: the open link, if any, or whether one can be made. Null when the recovery is closed or not found. */
export async function recoveryPayLinkPanel(caller: PaymentsCaller, recoveryId: string, basePath: string) {
  const recovery = await recoveryForPayLink({ workspaceId: caller.workspaceId, recoveryId });
  if (!recovery || !OPEN_RECOVERY.has(recovery.status)) return null;
  const [workspace, chain, open] = await Promise.all([
    getWorkspace(caller.workspaceId),
    connectionsOf(caller.workspaceId),
    openPayLinkOfRecovery({ workspaceId: caller.workspaceId, recoveryId }),
  ]);
  return {
    amount: formatMoney(recovery.amountDueMinor, recovery.currency),
    open: open ? { id: open.id, amount: formatMoney(open.amountMinor, open.currency), ...(await shareOf(open.shortCode, workspace.brandColor)) } : null,
    hasProvider: chain.connections.some((c) => c.status === "connected"),
    readOnly: readOnlyWords(caller),
    basePath,
  };
}

export type RecoveryPayLinkPanel = NonNullable<Awaited<ReturnType<typeof recoveryPayLinkPanel>>>;

export const RecoveryPayLinkSchema = z.object({ intent: z.literal("create-pay-link") });

/** "Create pay-link" on an open recovery: a link for the amount due, whose payment settles the recovery. */
export function recoveryPayLinkAction(callerOf: CallerOf) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const caller = await callerOf(request);
    try {
      await readJson(request, RecoveryPayLinkSchema);
      requireWrite(caller);
      const recoveryId = params.id ?? "";
      const [{ view, created }, workspace] = await Promise.all([
        payLinkForRecovery({ workspaceId: caller.workspaceId, recoveryId, createdVia: "dashboard", createdByUserId: caller.userId }),
        getWorkspace(caller.workspaceId),
      ]);
      // One open link per recovery: a second click shows the same link.
      const toast = created ? `Pay-link for ${formatMoney(view.amountMinor, view.currency)} created` : "This recovery already has an open pay-link";
      return { ok: true as const, intent: "create-pay-link" as const, toast, link: await createdOf(view, workspace.brandColor) };
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type RecoveryPayLinkAction = ReturnType<typeof recoveryPayLinkAction>;
