// The /api/v1 operations as the registry lists them (the list the OpenAPI document is built from),
// their route modules, and a workspace holding one of each resource, so that `{id}` paths have real
// ids: shared by the every-endpoint contract test and the fuzz suite, so that an endpoint added
// tomorrow is covered by both without a line in either.
import { z } from "zod";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import { suppress } from "~/domain/deliverability/suppressions.server";
import { createPaymentRequest } from "~/domain/collect/payment-requests.server";
import { createAlertRule } from "~/domain/alerts/rules.server";
import type { OperationDoc } from "~/contracts/api-v1/endpoint.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import type { callRoute } from "./http";
import { routeFiles } from "./route-inventory";

export type RouteModule = Parameters<typeof callRoute>[0];
type Json = Record<string, unknown>;

export interface Fixture {
  workspaceId: string;
  adminKey: string;
  ownerId: string;
  sessionToken: string;
  ids: Record<"recovery" | "customer" | "email" | "subscription" | "endpoint" | "apiKey" | "step" | "invoice" | "campaign" | "experiment" | "suppression" | "paymentRequest" | "alertRule" | "webhookDelivery", string>;
}

/** A workspace with one of each resource, so `{id}` paths have real ids to be refused. */
export async function fixtureWorkspace(tag: string): Promise<Fixture> {
  const { workspace, owner, apiKey, sessionToken } = await makeWorkspace({ name: `Every endpoint ${tag}` });
  const email = `every-${tag}@example.com`;
  const customer = await db().customer.create({ data: { workspaceId: workspace.id, provider: "stripe", externalId: `cus_every_${tag}`, email, name: `Every ${tag}` } });
  const started = new Date(Date.now() - 2 * 86_400_000);
  const recovery = await db().recovery.create({
    data: {
      workspaceId: workspace.id,
      provider: "stripe",
      externalAccountId: `acct_every_${tag}`,
      externalId: `in_every_${tag}`,
      externalCustomerId: customer.externalId,
      externalSubscriptionId: `sub_every_${tag}`,
      customerId: customer.id,
      declineType: "soft",
      declineCategory: "soft_retry",
      declineCode: "insufficient_funds",
      amountDueMinor: 4900,
      currency: "usd",
      startedAt: started,
      lastFailureAt: started,
      nextActionKind: "retry",
      nextActionAt: new Date(Date.now() + 86_400_000),
    },
  });
  // Nothing listens on port 9: a test delivery fails at once instead of waiting for a timeout.
  const endpoint = await createWebhookEndpoint({ workspaceId: workspace.id, url: "http://127.0.0.1:9/hooks" });
  // A delivery of the log, tried once and failed: the `{id}` of /api/v1/webhooks/events/{id} (and a replayable one).
  const webhookEvent = await db().webhookEvent.create({ data: { workspaceId: workspace.id, type: "payment.retry_due", dedupeKey: `every-${tag}`, payload: {} } });
  const webhookDelivery = await db().webhookDelivery.create({
    data: { workspaceId: workspace.id, endpointId: endpoint.id, eventId: webhookEvent.id, status: "failed", attempts: 1, lastError: "Could not reach the endpoint." },
  });
  const key = await createApiKey({ workspaceId: workspace.id, name: "fixture", scopes: ["read"] });
  const step = await db().dunningStep.findFirstOrThrow({ where: { workspaceId: workspace.id }, orderBy: { position: "asc" } });
  // An active suppression: the `{email}` of /api/v1/email/suppressions/{email}.
  const suppressed = `bounced-${tag}@example.com`;
  await suppress({ workspaceId: workspace.id, email: suppressed, reason: "hard_bounce", source: "smtp", detail: "550 5.1.1 no such user" });
  await db().abTest.create({
    data: { workspaceId: workspace.id, campaignId: step.sequenceId, variants: [{ key: "a", name: "Today", subject: null, body: null, templateId: null }, { key: "b", name: "Short", subject: "Card declined", body: null, templateId: null }] },
  });
  const experiment = await db().experiment.create({
    data: {
      workspaceId: workspace.id,
      name: `Every ${tag}`,
      kind: "retry_timing",
      variants: [
        { key: "control", name: "Today", share: 0.5, params: {} },
        { key: "fewer", name: "Fewer retries", share: 0.5, params: { max_retries: 4 } },
      ],
      startedAt: new Date(),
    },
  });
  const paymentRequest = await createPaymentRequest({ workspaceId: workspace.id, livemode: true, createdVia: "api", amountMinor: 2499, currency: "GBP", description: `Every ${tag}` });
  const alertRule = await createAlertRule({
    workspaceId: workspace.id,
    fields: { name: `Every ${tag}`, enabled: true, eventType: "payment_failed", channel: "in_app", cadence: "realtime", filter: {}, recipientEmails: [], recipientPhones: [], recipientRoles: [], webhookEndpointId: null },
  });
  return {
    workspaceId: workspace.id,
    adminKey: apiKey,
    ownerId: owner.id,
    sessionToken,
    ids: {
      recovery: recovery.id,
      customer: customer.id,
      email,
      subscription: recovery.externalSubscriptionId!,
      endpoint: endpoint.id,
      apiKey: key.id,
      step: step.id,
      campaign: step.sequenceId,
      experiment: experiment.id,
      suppression: suppressed,
      invoice: recovery.externalId,
      paymentRequest: paymentRequest.id,
      alertRule: alertRule.id,
      webhookDelivery: webhookDelivery.id,
    },
  };
}

/**
 * Which fixture id a path parameter names. `null`: not a workspace resource (the decline-code
 * catalogue is the same for everyone). A new `{id}` path fails the suites until it is listed here.
 */
const ID_KINDS: Array<[RegExp, keyof Fixture["ids"] | null]> = [
  [/^\/api\/v1\/(payments|recoveries|invoices)\/\{id\}/, "recovery"],
  [/^\/api\/v1\/customers\/by-email\/\{email\}/, "email"],
  [/^\/api\/v1\/customers\/\{id\}/, "customer"],
  [/^\/api\/v1\/subscriptions\/\{id\}/, "subscription"],
  [/^\/api\/v1\/webhooks\/endpoints\/\{id\}/, "endpoint"],
  [/^\/api\/v1\/webhooks\/events\/\{id\}/, "webhookDelivery"],
  [/^\/api\/v1\/api-keys\/\{id\}/, "apiKey"],
  [/^\/api\/v1\/templates\/preview\/\{id\}/, "step"],
  [/^\/api\/v1\/campaigns\/\{id\}/, "campaign"],
  [/^\/api\/v1\/email\/suppressions\/\{email\}/, "suppression"],
  [/^\/api\/v1\/email\/ab-test\/\{campaign_id\}/, "campaign"],
  // Any customer key has an assignment (known: false for one Recoup has not seen, another workspace's included).
  [/^\/api\/v1\/experiments\/assign\/\{customer_id\}/, null],
  [/^\/api\/v1\/experiments\/\{id\}/, "experiment"],
  [/^\/api\/v1\/decline-codes\/\{code\}/, null],
  [/^\/api\/v1\/payment-requests\/\{id\}/, "paymentRequest"],
  [/^\/api\/v1\/alert-rules\/\{id\}/, "alertRule"],
  [/^\/api\/v1\/analytics\/at-risk-customers\/\{id\}/, "customer"],
];

export function idKindOf(path: string): keyof Fixture["ids"] | null | undefined {
  return ID_KINDS.find(([re]) => re.test(path))?.[1];
}

export const paramNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** The path with its `{name}` parameters filled in (percent-encoded unless `raw`: the fuzz suite sends its own encodings). */
export function fill(path: string, params: Record<string, string>, { raw = false }: { raw?: boolean } = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name] ?? "x";
    return raw ? value : encodeURIComponent(value);
  });
}

export function shapeOf(schema: unknown): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/** The operation's path parameters holding `fixture`'s own ids (or the documented example). */
export function ownParams(op: OperationDoc, fixture: Fixture): Record<string, string> {
  const kind = idKindOf(op.path);
  const example = (op.example?.params ?? {}) as Record<string, string>;
  return Object.fromEntries(paramNames(op.path).map((name) => [name, kind ? fixture.ids[kind] : (example[name] ?? "insufficient_funds")]));
}

export const queryOf = (op: OperationDoc) => new URLSearchParams(op.example?.query ?? {}).toString();
export const exampleBody = (op: OperationDoc) => (op.body ? ((op.example?.body as Json | undefined) ?? {}) : undefined);

/** Every registered operation, and the route module serving each path (`/api/v1/payments/{id}` → its file). */
export async function loadApiV1(): Promise<{ operations: OperationDoc[]; modules: Map<string, RouteModule> }> {
  const { allOperations } = await import("~/contracts/api-v1/registry.server");
  const modules = new Map<string, RouteModule>();
  for (const { file, path } of routeFiles().filter((r) => r.file.startsWith("api.v1."))) {
    modules.set(path, (await import(/* @vite-ignore */ `../../app/routes/${file}`)) as RouteModule);
  }
  return { operations: allOperations(), modules };
}
