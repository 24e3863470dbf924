// ND8's merchant operations (seed 003): the organization (profile, dashboard snapshot, API keys,
// webhook) and payment links, on the dashboard's `Authorization: Token`; the links' public preview
// and start take no credential. The wire is ND8's: snake_case, amounts as decimal strings in the
// currency's places ("99.00", never a float), dates as ISO 8601.
import { z } from "zod";
import { apiKeyView } from "~/domain/auth/api-keys.server";
import {
  createOrganizationApiKey,
  dashboardSnapshot,
  getOrganization,
  listOrganizationApiKeys,
  nd8ScopesOf,
  organizationWebhook,
  ORGANIZATION_WEBHOOK_EVENTS,
  PRICE_MODES,
  recoupScopesOf,
  rotateOrganizationApiKey,
  secretPreviewOf,
  setOrganizationWebhook,
  updateOrganization,
  type ByStatus,
} from "~/domain/collect/organization.server";
import {
  createPaymentLink,
  deletePaymentLink,
  getPaymentLink,
  linesOfLink,
  listPaymentLinks,
  paymentLinkPayments,
  PAYMENT_LINK_CURRENCIES,
  PRICING_MODES,
  publicPaymentLink,
  startPaymentLink,
  updatePaymentLink,
  type PaymentLinkStats,
} from "~/domain/collect/payment-links.server";
import type { Caller } from "~/http/auth.server";
import { minorToDecimal } from "~/utils/money";
import type { ApiKey, PaymentLink, Transaction, WebhookEndpoint, Workspace } from "../../../generated/prisma/client";
import { ND8_SCOPES } from "./http.server";
import { BillingSchema, checkoutCreated, paymentOf } from "./payments.server";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A text field that may be cleared: null or "" is null; anything else must pass `check`. */
function clearable(max: number, check: (value: string) => boolean, words: string) {
  return z
    .string()
    .trim()
    .max(max)
    .nullable()
    .transform((value, ctx) => {
      if (value === null || value === "") return null;
      if (!check(value)) {
        ctx.addIssue({ code: "custom", message: words });
        return z.NEVER;
      }
      return value;
    });
}

const isWebUrl = (v: string) => z.url({ protocol: /^https?$/, hostname: z.regexes.domain }).safeParse(v).success;
const isEmail = (v: string) => z.email().safeParse(v).success;

const DateTime = z.iso.datetime({ offset: true, message: "a date-time with its offset, such as 2030-01-31T23:59:00Z" }).transform((v) => new Date(v));

const Metadata = z
  .record(z.string().max(100), z.unknown())
  .nullable()
  .refine((m) => m === null || JSON.stringify(m).length <= 16_384, "at most 16 KB of JSON");

const Paging = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});
export const ListQuerySchema = Paging;

// -- organization --------------------------------------------------------------------------------

/** Editable fields; any other field is ignored, as ND8's (Django REST framework) serializer ignores read-only ones. */
export const OrganizationPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    website: clearable(2048, isWebUrl, "Enter a valid URL, such as https://shop.example.").optional(),
    contact_email: clearable(254, isEmail, "Enter a valid email address.").optional(),
    telegram: clearable(100, (v) => /^[^\s]+$/.test(v), "A Telegram handle or link, without spaces.").optional(),
    price_mode: z.enum(PRICE_MODES).optional(),
  })
  .default({});

function organizationOf(w: Workspace) {
  return {
    id: w.id,
    name: w.name,
    website: w.website,
    contact_email: w.contactEmail,
    telegram: w.telegram,
    price_mode: w.priceMode,
    currency: w.currency.toUpperCase(),
    charge_currencies: [...PAYMENT_LINK_CURRENCIES],
    created_at: w.createdAt.toISOString(),
    updated_at: w.updatedAt.toISOString(),
  };
}

export async function getOrganizationFor(caller: Caller) {
  return organizationOf(await getOrganization(caller.workspaceId));
}

export async function patchOrganizationFor(caller: Caller, body: z.output<typeof OrganizationPatchSchema>) {
  return organizationOf(
    await updateOrganization(caller.workspaceId, { name: body.name, website: body.website, contactEmail: body.contact_email, telegram: body.telegram, priceMode: body.price_mode }),
  );
}

// -- dashboard snapshot --------------------------------------------------------------------------

export const DashboardQuerySchema = z.object({ livemode: z.enum(["true", "false"]).optional() });

function volumes(byCurrency: Record<string, number>) {
  return Object.fromEntries(Object.entries(byCurrency).map(([currency, minor]) => [currency, minorToDecimal(minor, currency)]));
}

function byStatusOf<S extends string>(byStatus: ByStatus<S>) {
  return Object.fromEntries(Object.entries<ByStatus<S>[S]>(byStatus).map(([status, b]) => [status, { count: b.count, volume: volumes(b.volumeMinor) }]));
}

/** A payment in a list: ND8's Payment, with what the dashboard's row adds. */
function paymentRowOf(t: Transaction) {
  return { ...paymentOf(t), payer_name: t.payerName, source: t.source, livemode: t.livemode, paid_at: iso(t.paidAt) };
}

export async function dashboardFor(caller: Caller, query: z.output<typeof DashboardQuerySchema>) {
  const snap = await dashboardSnapshot({ workspaceId: caller.workspaceId, livemode: query.livemode === undefined ? undefined : query.livemode === "true" });
  return {
    transactions: { count: snap.transactions.count, by_status: byStatusOf(snap.transactions.byStatus) },
    refunds: { count: snap.refunds.count, by_status: byStatusOf(snap.refunds.byStatus) },
    wallet: Object.fromEntries(
      Object.entries(snap.wallet).map(([currency, w]) => [
        currency,
        {
          paid: minorToDecimal(w.paidMinor, currency),
          refunded: minorToDecimal(w.refundedMinor, currency),
          pending_refunds: minorToDecimal(w.pendingRefundsMinor, currency),
          balance: minorToDecimal(w.balanceMinor, currency),
        },
      ]),
    ),
    recent_transactions: snap.recent.map(paymentRowOf),
  };
}

// -- API keys ------------------------------------------------------------------------------------

export const ApiKeyCreateSchema = z
  .object({
    name: z.string().trim().max(100).optional(),
    allowed_scopes: z.string().max(500).optional().describe("ND8 scope names separated by spaces or commas; default all five."),
  })
  .default({});

export const ApiKeyRotateSchema = z.object({ id: z.string().min(1).max(100).optional() }).default({});

function apiKeyOf(row: ApiKey) {
  const view = apiKeyView(row);
  return {
    id: view.id,
    name: view.name,
    prefix: view.prefix,
    allowed_scopes: nd8ScopesOf(view.scopes, ND8_SCOPES).join(" "),
    livemode: view.livemode,
    status: view.status,
    created_at: view.createdAt.toISOString(),
    last_used_at: iso(view.lastUsedAt),
    expires_at: iso(view.expiresAt),
  };
}

export async function listApiKeysFor(caller: Caller) {
  return (await listOrganizationApiKeys(caller.workspaceId)).map(apiKeyOf);
}

export async function createApiKeyFor(caller: Caller, body: z.output<typeof ApiKeyCreateSchema>) {
  const scopes = recoupScopesOf(body.allowed_scopes, ND8_SCOPES);
  const { row, rawKey } = await createOrganizationApiKey({ workspaceId: caller.workspaceId, userId: caller.userId, name: body.name, scopes });
  return { ...apiKeyOf(row), raw_key: rawKey };
}

export async function rotateApiKeyFor(caller: Caller, body: z.output<typeof ApiKeyRotateSchema>) {
  const { row, rawKey, previous } = await rotateOrganizationApiKey({ workspaceId: caller.workspaceId, userId: caller.userId, id: body.id, table: ND8_SCOPES });
  return { ...apiKeyOf(row), raw_key: rawKey, rotated_from: { id: previous.id, prefix: previous.prefix, expires_at: iso(previous.expiresAt) } };
}

// -- webhook -------------------------------------------------------------------------------------

export const WebhookPutSchema = z.object({ endpoint_url: z.string().trim().min(1).max(2048) });

function webhookOf(row: WebhookEndpoint | null) {
  if (!row) return { endpoint_url: null, events: [...ORGANIZATION_WEBHOOK_EVENTS], enabled: false, secret_preview: null, created_at: null, updated_at: null };
  return {
    endpoint_url: row.url,
    events: row.events,
    enabled: row.enabled,
    secret_preview: secretPreviewOf(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function webhookFor(caller: Caller) {
  return webhookOf(await organizationWebhook(caller.workspaceId));
}

/** The signing secret is in the answer that creates the webhook, and in no other. */
export async function putWebhookFor(caller: Caller, body: z.output<typeof WebhookPutSchema>) {
  const { row, signingSecret } = await setOrganizationWebhook({ workspaceId: caller.workspaceId, url: body.endpoint_url });
  return { ...webhookOf(row), ...(signingSecret ? { signing_secret: signingSecret } : {}) };
}

// -- payment links -------------------------------------------------------------------------------

export const PaymentLinkCreateSchema = z.object({
  name: z.string().trim().min(1).max(200),
  products: z
    .array(z.object({ product_id: z.string().trim().min(1).max(255), quantity: z.number().int().min(1).max(10_000) }))
    .min(1)
    .max(100),
  currency: z.enum(PAYMENT_LINK_CURRENCIES).default("USD"),
  pricing_mode: z.enum(PRICING_MODES).optional(),
  expires_at: DateTime.nullable().optional(),
  max_uses: z.number().int().min(1).max(1_000_000).nullable().optional(),
  metadata: Metadata.optional(),
});

/** ND8's PATCH: name, is_active, expires_at, max_uses, metadata; other fields are ignored, as Django REST framework ignores read-only ones. */
export const PaymentLinkPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    is_active: z.boolean().optional(),
    expires_at: DateTime.nullable().optional(),
    max_uses: z.number().int().min(1).max(1_000_000).nullable().optional(),
    metadata: Metadata.optional(),
  })
  .default({});

function productsOf(link: PaymentLink) {
  return linesOfLink(link).map((l) => ({
    product_id: l.product_id,
    name: l.name,
    quantity: l.quantity,
    unit_price: minorToDecimal(l.unit_amount_minor, link.currency),
    amount: minorToDecimal(l.unit_amount_minor * l.quantity, link.currency),
  }));
}

function paymentLinkOf(link: PaymentLink) {
  return {
    id: link.id,
    name: link.name,
    currency: link.currency,
    pricing_mode: link.pricingMode,
    products: productsOf(link),
    amount: minorToDecimal(link.amountMinor, link.currency),
    expires_at: iso(link.expiresAt),
    max_uses: link.maxUses,
    is_active: link.isActive,
    metadata: (link.metadata ?? null) as Record<string, unknown> | null,
    created_at: link.createdAt.toISOString(),
    updated_at: link.updatedAt.toISOString(),
  };
}

function detailOf({ link, stats }: { link: PaymentLink; stats: PaymentLinkStats }) {
  return {
    ...paymentLinkOf(link),
    stats: {
      payments_count: stats.paymentsCount,
      paid_count: stats.paidCount,
      paid_volume: minorToDecimal(stats.paidVolumeMinor, link.currency),
      remaining_uses: link.maxUses === null ? null : Math.max(0, link.maxUses - stats.paidCount),
    },
  };
}

export async function createPaymentLinkFor(caller: Caller, body: z.output<typeof PaymentLinkCreateSchema>) {
  const link = await createPaymentLink({
    workspaceId: caller.workspaceId,
    name: body.name,
    products: body.products.map((p) => ({ productId: p.product_id, quantity: p.quantity })),
    currency: body.currency,
    pricingMode: body.pricing_mode ?? null,
    expiresAt: body.expires_at ?? null,
    maxUses: body.max_uses ?? null,
    metadata: body.metadata ?? null,
  });
  return paymentLinkOf(link);
}

export async function listPaymentLinksFor(caller: Caller, query: z.output<typeof ListQuerySchema>) {
  const page = await listPaymentLinks({ workspaceId: caller.workspaceId, page: query.page, pageSize: query.page_size });
  return { items: page.items.map(paymentLinkOf), total: page.total ?? page.items.length };
}

export async function getPaymentLinkFor(caller: Caller, id: string | undefined) {
  return detailOf(await getPaymentLink({ workspaceId: caller.workspaceId, id: id ?? "" }));
}

export async function patchPaymentLinkFor(caller: Caller, id: string | undefined, body: z.output<typeof PaymentLinkPatchSchema>) {
  return detailOf(
    await updatePaymentLink({
      workspaceId: caller.workspaceId,
      id: id ?? "",
      patch: { name: body.name, isActive: body.is_active, expiresAt: body.expires_at, maxUses: body.max_uses, metadata: body.metadata },
    }),
  );
}

export async function deletePaymentLinkFor(caller: Caller, id: string | undefined) {
  await deletePaymentLink({ workspaceId: caller.workspaceId, id: id ?? "" });
}

export async function paymentLinkPaymentsFor(caller: Caller, id: string | undefined, query: z.output<typeof ListQuerySchema>) {
  const page = await paymentLinkPayments({ workspaceId: caller.workspaceId, id: id ?? "", page: query.page, pageSize: query.page_size });
  return { items: page.items.map(paymentRowOf), total: page.total ?? page.items.length };
}

/** What a customer sees of a link; `gone` (410) says why it cannot be paid. */
export async function publicPaymentLinkFor(token: string | undefined): Promise<{ gone: string } | { preview: ReturnType<typeof previewOf> }> {
  const found = await publicPaymentLink(token ?? "");
  return found.available ? { preview: previewOf(found.link) } : { gone: found.reason };
}

function previewOf(link: PaymentLink) {
  return {
    id: link.id,
    name: link.name,
    currency: link.currency,
    pricing_mode: link.pricingMode,
    products: linesOfLink(link).map((l) => ({ name: l.name, quantity: l.quantity, unit_price: minorToDecimal(l.unit_amount_minor, link.currency) })),
    amount: minorToDecimal(link.amountMinor, link.currency),
    expires_at: iso(link.expiresAt),
  };
}

export const PaymentLinkStartSchema = BillingSchema;

export async function startPaymentLinkFor(token: string | undefined, body: z.output<typeof PaymentLinkStartSchema>) {
  const started = await startPaymentLink({
    token: token ?? "",
    currency: body.currency ?? null,
    payer: { email: body.billing_email, name: `${body.billing_first_name} ${body.billing_last_name}` },
    successUrl: body.successUrl ?? null,
    failedUrl: body.failedUrl ?? null,
    cancelUrl: body.cancelUrl ?? null,
  });
  return started.started ? { created: checkoutCreated(started.transaction, started.checkoutUrl) } : { gone: started.reason };
}
