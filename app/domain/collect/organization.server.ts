// ND8's organization (seed 003), over Recoup's workspace: its profile, a dashboard snapshot of the
// payments taken through checkout and payment links, the one webhook ND8 configures, and API keys
// in ND8's scope names. Every read is the caller's workspace's.
import { createApiKey, rotateApiKey } from "~/domain/auth/api-keys.server";
import { AppError } from "~/domain/errors";
import { createWebhookEndpoint, signingSecretOf, updateWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import type { WebhookEventType } from "~/domain/webhooks/schemas";
import { db } from "~/utils/db.server";
import type { ApiKey, Prisma, Transaction, WebhookEndpoint, Workspace } from "../../../generated/prisma/client";
import { PAID_STATUSES } from "./transactions.server";

// -- profile -------------------------------------------------------------------------------------

export const PRICE_MODES = ["TAX_EXCLUSIVE", "TAX_INCLUSIVE"] as const;

export interface OrganizationPatch {
  name?: string;
  website?: string | null;
  contactEmail?: string | null;
  telegram?: string | null;
  priceMode?: (typeof PRICE_MODES)[number];
}

export async function getOrganization(workspaceId: string): Promise<Workspace> {
  const row = await db().workspace.findUnique({ where: { id: workspaceId } });
  if (!row) throw new AppError("not_found", "No such organization.");
  return row;
}

export async function updateOrganization(workspaceId: string, patch: OrganizationPatch): Promise<Workspace> {
  await getOrganization(workspaceId);
  return db().workspace.update({
    where: { id: workspaceId },
    data: { name: patch.name, website: patch.website, contactEmail: patch.contactEmail, telegram: patch.telegram, priceMode: patch.priceMode },
  });
}

// -- dashboard snapshot --------------------------------------------------------------------------

export const TRANSACTION_STATUSES = ["processing", "paid", "failed", "canceled", "refund_pending", "refunded"] as const;
export const REFUND_STATUSES = ["pending", "processing", "completed", "failed", "rejected"] as const;

/** Counts and volumes (minor units by currency) of each status. */
export type ByStatus<S extends string> = Record<S, { count: number; volumeMinor: Record<string, number> }>;

export interface WalletLine {
  /** Payments that went through (paid, and those refunded since). */
  paidMinor: number;
  /** Refunds completed. */
  refundedMinor: number;
  /** Refunds under way: held back from the balance until they end. */
  pendingRefundsMinor: number;
  balanceMinor: number;
}

export interface DashboardSnapshot {
  transactions: { count: number; byStatus: ByStatus<(typeof TRANSACTION_STATUSES)[number]> };
  refunds: { count: number; byStatus: ByStatus<(typeof REFUND_STATUSES)[number]> };
  wallet: Record<string, WalletLine>;
  recent: Transaction[];
}

function emptyByStatus<S extends string>(statuses: readonly S[]): ByStatus<S> {
  return Object.fromEntries(statuses.map((s) => [s, { count: 0, volumeMinor: {} }])) as ByStatus<S>;
}

function add<S extends string>(into: ByStatus<S>, status: string, currency: string, count: number, sum: number) {
  // A status the tables do not list yet still counts, under its own name.
  const bucket = (into[status as S] ??= { count: 0, volumeMinor: {} });
  bucket.count += count;
  bucket.volumeMinor[currency] = (bucket.volumeMinor[currency] ?? 0) + sum;
}

/**
 * The organization's payments and refunds, grouped in the database: counts and volumes by status
 * and currency, the wallet (paid − refunded − refunds under way, by currency) and the 5 newest
 * payments. Live and test payments together, as the dashboard shows them (ADR 0032), unless
 * `livemode` picks one.
 */
export async function dashboardSnapshot(input: { workspaceId: string; livemode?: boolean }): Promise<DashboardSnapshot> {
  // Setup-test payments (£0.01 verifying a connection) are not business: left out.
  const txWhere: Prisma.TransactionWhereInput = { workspaceId: input.workspaceId, isSetupTest: false, ...(input.livemode === undefined ? {} : { livemode: input.livemode }) };
  const refundWhere: Prisma.RefundWhereInput = { workspaceId: input.workspaceId, transaction: { isSetupTest: false, ...(input.livemode === undefined ? {} : { livemode: input.livemode }) } };
  const [txGroups, refundGroups, recent] = await Promise.all([
    db().transaction.groupBy({ by: ["status", "currency"], where: txWhere, _count: { _all: true }, _sum: { amountMinor: true }, orderBy: [{ status: "asc" }, { currency: "asc" }] }),
    db().refund.groupBy({ by: ["status", "currency"], where: refundWhere, _count: { _all: true }, _sum: { amountMinor: true }, orderBy: [{ status: "asc" }, { currency: "asc" }] }),
    db().transaction.findMany({ where: txWhere, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 5 }),
  ]);
  const transactions = { count: 0, byStatus: emptyByStatus(TRANSACTION_STATUSES) };
  const refunds = { count: 0, byStatus: emptyByStatus(REFUND_STATUSES) };
  const wallet: Record<string, WalletLine> = {};
  const line = (currency: string) => (wallet[currency] ??= { paidMinor: 0, refundedMinor: 0, pendingRefundsMinor: 0, balanceMinor: 0 });
  for (const g of txGroups) {
    const sum = g._sum.amountMinor ?? 0;
    transactions.count += g._count._all;
    add(transactions.byStatus, g.status, g.currency, g._count._all, sum);
    if (PAID_STATUSES.includes(g.status)) line(g.currency).paidMinor += sum;
  }
  for (const g of refundGroups) {
    const sum = g._sum.amountMinor ?? 0;
    refunds.count += g._count._all;
    add(refunds.byStatus, g.status, g.currency, g._count._all, sum);
    if (g.status === "completed") line(g.currency).refundedMinor += sum;
    else if (g.status === "pending" || g.status === "processing") line(g.currency).pendingRefundsMinor += sum;
  }
  for (const w of Object.values(wallet)) w.balanceMinor = w.paidMinor - w.refundedMinor - w.pendingRefundsMinor;
  return { transactions, refunds, wallet, recent };
}

// -- webhook -------------------------------------------------------------------------------------

/** The endpoint ND8's "Organization → webhook" stands for: one per workspace, known by its description. */
export const ORGANIZATION_WEBHOOK_DESCRIPTION = "ND8 organization webhook";
export const ORGANIZATION_WEBHOOK_EVENTS: WebhookEventType[] = ["transaction.status_changed", "refund.status_changed"];

export async function organizationWebhook(workspaceId: string): Promise<WebhookEndpoint | null> {
  return db().webhookEndpoint.findFirst({
    where: { workspaceId, description: ORGANIZATION_WEBHOOK_DESCRIPTION },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** The first characters of the signing secret, enough to tell two secrets apart. */
export function secretPreviewOf(row: WebhookEndpoint): string {
  return `${signingSecretOf(row).slice(0, 8)}…`;
}

/** The URL check's refusal, named by ND8's field. */
function asEndpointUrlError(error: unknown): unknown {
  if (!(error instanceof AppError) || error.code !== "validation_failed") return error;
  const message = error.message.replace(/^body\.url:\s*/, "");
  return new AppError("validation_failed", `endpoint_url: ${message}`, { errors: [{ path: "endpoint_url", message }] });
}

/**
 * Points the organization's webhook at `url` (a public https address: the same check as every
 * endpoint's, ADR 0031). The first time it is created, and its signing secret returned this once.
 */
export async function setOrganizationWebhook(input: { workspaceId: string; url: string }): Promise<{ row: WebhookEndpoint; signingSecret: string | null }> {
  const existing = await organizationWebhook(input.workspaceId);
  try {
    if (existing) {
      await updateWebhookEndpoint({ workspaceId: input.workspaceId, id: existing.id, url: input.url });
      return { row: await db().webhookEndpoint.findUniqueOrThrow({ where: { id: existing.id } }), signingSecret: null };
    }
    const created = await createWebhookEndpoint({ workspaceId: input.workspaceId, url: input.url, events: ORGANIZATION_WEBHOOK_EVENTS, description: ORGANIZATION_WEBHOOK_DESCRIPTION });
    return { row: await db().webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } }), signingSecret: created.signingSecret };
  } catch (error) {
    throw asEndpointUrlError(error);
  }
}

// -- API keys ------------------------------------------------------------------------------------

/** ND8's scope names → Recoup's (kept in step with ND8_SCOPES, which the contract checks keys by). */
export type ScopeTable = Readonly<Record<string, string>>;

/** `"checkout:create refunds:write"` (spaces or commas) in Recoup's scopes; an unknown name is a 400. */
export function recoupScopesOf(text: string | undefined, table: ScopeTable): string[] {
  if (text === undefined) return [...new Set(Object.values(table))];
  const names = text.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) throw new AppError("validation_failed", `allowed_scopes: give at least one of ${Object.keys(table).join(", ")}.`);
  const unknown = names.find((n) => !(n in table));
  if (unknown) throw new AppError("validation_failed", `allowed_scopes: unknown scope "${unknown}"; use ${Object.keys(table).join(", ")}.`);
  return [...new Set(names.map((n) => table[n]!))];
}

/** A key's scopes in ND8's names where they have one, Recoup's otherwise (`admin`, `read`). */
export function nd8ScopesOf(scopes: string[], table: ScopeTable): string[] {
  const back = new Map(Object.entries(table).map(([nd8, recoup]) => [recoup, nd8]));
  return scopes.map((s) => back.get(s) ?? s);
}

/** The keys that work now (a rotated key until its grace period ends), newest first: never the keys themselves. */
export async function listOrganizationApiKeys(workspaceId: string): Promise<ApiKey[]> {
  return db().apiKey.findMany({
    where: { workspaceId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
  });
}

export async function createOrganizationApiKey(input: { workspaceId: string; userId?: string; name?: string; scopes: string[] }) {
  const created = await createApiKey({ workspaceId: input.workspaceId, name: input.name || "API key", scopes: input.scopes, actor: { userId: input.userId } });
  return { row: await db().apiKey.findUniqueOrThrow({ where: { id: created.id } }), rawKey: created.key };
}

/**
 * Rotates the key `id`, or by default the newest active key made as this endpoint makes them (only
 * ND8's scopes), else the newest active key. The old key keeps working through Recoup's grace period.
 */
export async function rotateOrganizationApiKey(input: { workspaceId: string; userId?: string; id?: string; table: ScopeTable }) {
  let id = input.id;
  if (!id) {
    // Active: neither revoked nor rotated (a rotated key has an end, and can be rotated only once).
    const active = await db().apiKey.findMany({ where: { workspaceId: input.workspaceId, revokedAt: null, expiresAt: null }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 200 });
    const nd8Made = new Set(Object.values(input.table));
    const pick = active.find((r) => r.scopes.length > 0 && r.scopes.every((s) => nd8Made.has(s))) ?? active[0];
    if (!pick) throw new AppError("not_found", "This organization has no active API key to rotate: create one first.");
    id = pick.id;
  }
  const rotated = await rotateApiKey({ workspaceId: input.workspaceId, id, actor: { userId: input.userId } });
  const [row, previous] = await Promise.all([
    db().apiKey.findUniqueOrThrow({ where: { id: rotated.id } }),
    db().apiKey.findUniqueOrThrow({ where: { id } }),
  ]);
  return { row, rawKey: rotated.key, previous };
}
