// Flow Arc's payment requests (seed 001), exactly: its bare objects, `{items, next_cursor}` lists,
// `{error, message}` errors and its status codes, over Recoup's pay-links (app/domain/collect).
import QRCode from "qrcode";
import { z } from "zod";
import { parseMobile } from "~/domain/collect/mobile";
import {
  cancelPaymentRequest,
  createPaymentRequest,
  getPaymentRequest,
  listPaymentRequests,
  setProviderOverride,
  type PaymentRequestView,
} from "~/domain/collect/payment-requests.server";
import { AppError } from "~/domain/errors";
import { decodeCursor } from "~/domain/pagination.server";
import type { Caller } from "~/http/auth.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { uuidFromKey } from "~/utils/crypto.server";

const STATUSES = ["open", "succeeded", "cancelled", "expired"] as const;

export const CreateSchema = z.object({
  amount_minor: z.number().int().positive().max(99_999_999),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "an ISO 4217 code such as GBP")
    .default("GBP"),
  description: z.string().min(1).max(500),
  customer_email: z.email().max(320).optional(),
  customer_name: z.string().min(1).max(120).optional(),
  customer_mobile: z.string().min(1).max(40).optional(),
  customer_reference: z.string().min(1).max(120).optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  provider_override_id: z.uuid().optional(),
  is_setup_test: z.boolean().optional(),
  /** Recoup's addition: the open recovery this link collects (its payment settles the recovery). */
  recovery_id: z.string().min(1).max(100).optional(),
});

/** Exactly one of Flow Arc's two shapes, nothing else beside it. */
export const PatchSchema = z.union([z.object({ status: z.literal("cancelled") }).strict(), z.object({ provider_override_id: z.uuid().nullable() }).strict()]);

export const ListQuerySchema = z
  .object({
    status: z.enum(STATUSES).optional(),
    cursor: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

/** Flow Arc's PaymentRequestResponse, for Recoup's OpenAPI document (the seed is the authority; the conformance tests hold the two together). */
export const PaymentRequestResponseSchema = z.object({
  id: z.uuid(),
  short_code: z.string().regex(/^[0-9A-Za-z]{12}$/),
  amount_minor: z.number().int().positive(),
  currency: z.string().describe("GBP, as Flow Arc documents. Recoup also accepts another ISO 4217 currency where the link's provider takes it (Stripe: many, Dojo: GBP and EUR)."),
  description: z.string(),
  customer_email: nullable(z.string()),
  customer_name: nullable(z.string()),
  customer_mobile: nullable(z.string()).describe("E.164."),
  customer_reference: nullable(z.string()),
  expires_at: nullable(z.iso.datetime()),
  provider_override_id: nullable(z.uuid()),
  resolved_provider_connection_id: nullable(z.uuid()).describe("Live: override → fallback-triggered → routing chain; null when no chain is usable."),
  fallback_triggered_at: nullable(z.iso.datetime()),
  status: z.enum(STATUSES),
  created_via: z.enum(["dashboard", "api"]),
  created_by_user_id: nullable(z.string()),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  url: z.string(),
  qr_code_data_url: z.string().describe("PNG data URL in the merchant's brand colour (near-black when that colour is too light to scan)."),
  is_setup_test: z.boolean().describe("Recoup: a setup-verification link (excluded from reports)."),
  recovery_id: nullable(z.string()).describe("Recoup: the recovery this link collects."),
});

export const PaymentRequestListSchema = z.object({ items: z.array(PaymentRequestResponseSchema), next_cursor: nullable(z.string()) });

/** Dark enough on white for a phone camera: a light brand colour falls back to near-black. */
function qrColour(brandColor: string | null): string {
  const hex = /^#?([0-9a-f]{6})$/i.exec(brandColor ?? "")?.[1];
  if (!hex) return "#111827";
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  // WCAG contrast against white of at least 3:1.
  return 1.05 / (luminance + 0.05) >= 3 ? `#${hex.toLowerCase()}` : "#111827";
}

export function payLinkUrl(shortCode: string): string {
  return `${env().APP_URL.replace(/\/$/, "")}/pay/${shortCode}`;
}

/** Drawn QR codes by URL and colour, newest last: one costs about 10 ms of CPU, and a page of 100 links would redraw them all. */
const drawn = new Map<string, Promise<string>>();
const DRAWN_MAX = 500;

/** The QR code of a pay-link, as a PNG data URL in the merchant's colour (a pure function of both: drawn once, kept). */
export function qrDataUrl(url: string, brandColor: string | null): Promise<string> {
  const dark = qrColour(brandColor);
  const key = `${dark} ${url}`;
  let png = drawn.get(key);
  if (png) {
    drawn.delete(key);
  } else {
    png = QRCode.toDataURL(url, { type: "image/png", errorCorrectionLevel: "M", margin: 2, width: 320, color: { dark, light: "#ffffff" } });
    png.catch(() => drawn.delete(key));
    if (drawn.size >= DRAWN_MAX) drawn.delete(drawn.keys().next().value!);
  }
  drawn.set(key, png);
  return png;
}

async function toWire(view: PaymentRequestView, brandColor: string | null) {
  const url = payLinkUrl(view.shortCode);
  return {
    id: view.id,
    short_code: view.shortCode,
    amount_minor: view.amountMinor,
    currency: view.currency,
    description: view.description,
    customer_email: view.customerEmail,
    customer_name: view.customerName,
    customer_mobile: view.customerMobile,
    customer_reference: view.customerReference,
    expires_at: view.expiresAt?.toISOString() ?? null,
    provider_override_id: view.providerOverrideId,
    resolved_provider_connection_id: view.resolvedProviderConnectionId,
    fallback_triggered_at: view.fallbackTriggeredAt?.toISOString() ?? null,
    status: view.status,
    created_via: view.createdVia,
    // Flow Arc's ids are UUIDs; Recoup's users are not: a stable UUID per user stands for them.
    created_by_user_id: view.createdByUserId ? uuidFromKey(`user:${view.createdByUserId}`) : null,
    created_at: view.createdAt.toISOString(),
    updated_at: view.updatedAt.toISOString(),
    url,
    qr_code_data_url: await qrDataUrl(url, brandColor),
    // Recoup's additions (Flow Arc's schema allows properties it does not list).
    is_setup_test: view.isSetupTest,
    recovery_id: view.recoveryId,
  };
}

async function brandOf(workspaceId: string): Promise<string | null> {
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId }, select: { brandColor: true } });
  return workspace?.brandColor ?? null;
}

const scopeOf = (caller: Caller) => ({ workspaceId: caller.workspaceId, livemode: caller.livemode });

export async function createForCaller(caller: Caller, body: z.output<typeof CreateSchema>) {
  let mobile: string | null = null;
  if (body.customer_mobile !== undefined) {
    mobile = parseMobile(body.customer_mobile);
    if (!mobile) throw new AppError("validation_failed", "customer_mobile: not a valid phone number (a UK number, or one with its country code such as +44 7911 123456).");
  }
  const view = await createPaymentRequest({
    ...scopeOf(caller),
    createdVia: caller.kind === "session" ? "dashboard" : "api",
    createdByUserId: caller.userId ?? null,
    createdByApiKeyId: caller.apiKeyId ?? null,
    amountMinor: body.amount_minor,
    currency: body.currency,
    description: body.description,
    customerEmail: body.customer_email ?? null,
    customerName: body.customer_name ?? null,
    customerMobile: mobile,
    customerReference: body.customer_reference ?? null,
    expiresAt: body.expires_at ? new Date(body.expires_at) : null,
    providerOverrideId: body.provider_override_id ?? null,
    isSetupTest: body.is_setup_test ?? false,
    recoveryId: body.recovery_id ?? null,
  });
  return toWire(view, await brandOf(caller.workspaceId));
}

export async function listForCaller(caller: Caller, query: z.output<typeof ListQuerySchema>) {
  const page = await listPaymentRequests({
    ...scopeOf(caller),
    status: query.status,
    page: { mode: "cursor", limit: query.limit, after: query.cursor ? decodeCursor(query.cursor) : null },
  });
  const brand = await brandOf(caller.workspaceId);
  return { items: await Promise.all(page.items.map((item) => toWire(item, brand))), next_cursor: page.nextCursor };
}

/** Flow Arc's ids are UUIDs: anything else is no payment request of this workspace. */
function requestId(id: string | undefined): string {
  if (!id || !z.uuid().safeParse(id).success) throw new AppError("payment_request_not_found", `No payment request ${id ?? ""} is visible to this workspace.`);
  return id;
}

export async function getForCaller(caller: Caller, id: string | undefined) {
  return toWire(await getPaymentRequest({ ...scopeOf(caller), id: requestId(id) }), await brandOf(caller.workspaceId));
}

export async function patchForCaller(caller: Caller, id: string | undefined, body: z.output<typeof PatchSchema>) {
  const input = { ...scopeOf(caller), id: requestId(id) };
  const view = "status" in body ? await cancelPaymentRequest(input) : await setProviderOverride({ ...input, providerOverrideId: body.provider_override_id });
  return toWire(view, await brandOf(caller.workspaceId));
}
