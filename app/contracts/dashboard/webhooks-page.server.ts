// /dashboard/webhooks (issue 14, ADR 0080): the workspace's webhook endpoints (add, edit, turn on or
// off, send a test event, rotate the signing secret, delete) and the delivery log with replay. A
// signing secret is in the answer of the action that made it and nowhere else: the loader never
// reads it, so it is shown once. The form's problems come back all at once, each beside its field;
// a refused URL in the domain's words (app/domain/webhooks/endpoints.server.ts).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { can } from "~/domain/access/roles";
import { AppError } from "~/domain/errors";
import { DELIVERY_STATUSES, listWebhookDeliveries, replayWebhookDelivery, testWebhookEndpoint } from "~/domain/webhooks/delivery.server";
import {
  checkEndpointUrl,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "~/domain/webhooks/endpoints.server";
import { WEBHOOK_EVENT_CATALOGUE, WEBHOOK_EVENT_TYPES } from "~/domain/webhooks/schemas";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { readJson } from "~/http/body.server";
import { now } from "~/utils/clock.server";
import { actionFailure, requirePermission, type DashboardSession } from "./dashboard-session.server";

type CallerOf = (request: Request) => Promise<DashboardSession>;

const LOG_PER_PAGE = 20;
/** Endpoints shown; a workspace has a handful (the API lists more, a page at a time). */
const ENDPOINTS_SHOWN = 100;
/** How long the replaced secret keeps signing after a rotation: the choices offered. */
export const OVERLAP_HOURS = [0, 1, 24, 72, 168] as const;

function readOnlyWords(session: DashboardSession): string | null {
  if (can(session.role, "manage_settings")) return null;
  const who = session.ownerLabel ? `Ask ${session.ownerLabel} (the owner)` : "Ask the workspace's owner";
  return `Only admins can add, change, test or replay webhooks. ${who} or an admin to make the change.`;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const LogQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional().catch(undefined),
  endpoint: z.string().min(1).max(100).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export function webhooksLoader(callerOf: CallerOf) {
  return async ({ request }: LoaderFunctionArgs) => {
    const session = await callerOf(request);
    const { workspaceId } = session;
    const search = new URL(request.url).searchParams;
    const query = LogQuerySchema.parse({ status: search.get("status") ?? undefined, endpoint: search.get("endpoint") ?? undefined, page: search.get("page") ?? 1 });
    const [workspace, endpoints] = await Promise.all([getWorkspace(workspaceId), listWebhookEndpoints({ workspaceId, page: { mode: "offset", page: 1, perPage: ENDPOINTS_SHOWN } })]);
    // An endpoint of another workspace (or one deleted meanwhile) filters nothing: the log is this workspace's either way.
    const endpointFilter = endpoints.items.some((e) => e.id === query.endpoint) ? query.endpoint! : null;
    const log = await listWebhookDeliveries({
      workspaceId,
      endpointId: endpointFilter ?? undefined,
      status: query.status,
      page: { mode: "offset", page: query.page, perPage: LOG_PER_PAGE },
    });
    const urlOf = new Map(endpoints.items.map((e) => [e.id, e.url]));
    const enabledOf = new Map(endpoints.items.map((e) => [e.id, e.enabled]));
    return {
      timeZone: workspace.timezone,
      readOnly: readOnlyWords(session),
      eventTypes: WEBHOOK_EVENT_TYPES.map((type) => ({ type, description: WEBHOOK_EVENT_CATALOGUE[type].description })),
      overlapHours: [...OVERLAP_HOURS],
      endpointsTotal: endpoints.total ?? endpoints.items.length,
      endpoints: endpoints.items.map((e) => ({
        id: e.id,
        url: e.url,
        description: e.description,
        events: e.events,
        allEvents: WEBHOOK_EVENT_TYPES.every((t) => e.events.includes(t)),
        enabled: e.enabled,
        disabledAt: iso(e.disabledAt),
        disabledReason: e.disabledReason,
        failingSince: iso(e.failingSince),
        previousSecretExpiresAt: iso(e.previousSecretExpiresAt),
        createdAt: e.createdAt.toISOString(),
      })),
      log: {
        filter: { status: query.status ?? null, endpoint: endpointFilter },
        page: query.page,
        totalPages: log.totalPages ?? 1,
        total: log.total ?? log.items.length,
        items: log.items.map((d) => ({
          id: d.id,
          endpointId: d.endpointId,
          endpointUrl: urlOf.get(d.endpointId) ?? d.endpointId,
          endpointEnabled: enabledOf.get(d.endpointId) ?? true,
          eventId: d.eventId,
          eventType: d.eventType,
          status: d.status,
          attempts: d.attempts,
          replays: d.replays,
          statusCode: d.statusCode,
          responseTimeMs: d.responseTimeMs,
          responseBody: d.responseBody,
          error: d.error,
          createdAt: d.createdAt.toISOString(),
          lastAttemptAt: iso(d.lastAttemptAt),
          nextAttemptAt: iso(d.nextAttemptAt),
        })),
      },
    };
  };
}

export type WebhooksLoader = ReturnType<typeof webhooksLoader>;

export const EndpointFormSchema = z.object({
  url: z.string({ error: "Enter the URL that receives the events." }).trim().min(1, { error: "Enter the URL that receives the events." }).max(2048, { error: "That URL is longer than 2048 characters." }),
  /** Every event type (the default); otherwise `events`. */
  allEvents: z.boolean().default(true),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES, { error: "That is not an event Recoup sends." })).max(WEBHOOK_EVENT_TYPES.length).default([]),
  description: z.string().trim().max(500, { error: "Keep the description under 500 characters." }).default(""),
});
export type EndpointForm = z.input<typeof EndpointFormSchema>;

const Id = z.string().min(1).max(100);
const ActionSchema = z.discriminatedUnion("intent", [
  // The form is checked on its own, so that every field's problem is answered at once.
  z.object({ intent: z.literal("create"), form: z.unknown() }),
  z.object({ intent: z.literal("update"), id: Id, form: z.unknown() }),
  z.object({ intent: z.literal("toggle"), id: Id, enabled: z.boolean() }),
  z.object({ intent: z.literal("rotate"), id: Id, expiresInHours: z.number().int().min(0).max(168) }),
  z.object({ intent: z.literal("test"), id: Id }),
  z.object({ intent: z.literal("delete"), id: Id }),
  z.object({ intent: z.literal("replay"), id: Id }),
]);

type Problem = { path: string; message: string };

function invalid(problems: Problem[]): never {
  throw new AppError("validation_failed", problems.length === 1 ? problems[0]!.message : "Some fields need another look.", { errors: problems });
}

/** The domain's refusal of a URL (`body.url` on the API) as the form's `url` problem; anything else as it is. */
function urlProblemOf(error: unknown): Problem {
  if (error instanceof AppError && error.code === "validation_failed") {
    const listed = (error.meta?.errors as Problem[] | undefined)?.find((e) => e.path === "body.url");
    if (listed) return { path: "url", message: listed.message };
  }
  throw error;
}

/** The form read, or every problem it has at once (the URL judged by the domain's rules too). */
async function readForm(raw: unknown) {
  const parsed = EndpointFormSchema.safeParse(raw ?? {});
  const problems: Problem[] = [];
  const add = (p: Problem) => {
    if (!problems.some((q) => q.path === p.path)) problems.push(p);
  };
  if (!parsed.success) for (const issue of parsed.error.issues) add({ path: String(issue.path[0] ?? "form"), message: issue.message });
  const picked = (raw ?? {}) as { allEvents?: unknown; events?: unknown };
  if (picked.allEvents === false && (!Array.isArray(picked.events) || picked.events.length === 0)) add({ path: "events", message: "Choose at least one event, or All events." });
  if (problems.length === 0) return parsed.data!;
  // Something else is wrong: the URL is judged now, so that its problem shows beside the others.
  const url = (raw as { url?: unknown } | null)?.url;
  if (typeof url === "string" && url.trim() && !problems.some((p) => p.path === "url")) {
    await checkEndpointUrl(url.trim()).catch((error: unknown) => add(urlProblemOf(error)));
  }
  return invalid(problems);
}

const eventsOf = (form: z.output<typeof EndpointFormSchema>) => (form.allEvents ? [...WEBHOOK_EVENT_TYPES] : form.events);

async function withUrlProblem<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => invalid([urlProblemOf(error)]));
}

type Success = { ok: true; toast: string; id: string; secret?: string; url?: string; test?: TestAnswer };
type TestAnswer = { success: boolean; statusCode: number | null; responseTimeMs: number; error: string | null; at: string };

async function run(session: DashboardSession, body: z.output<typeof ActionSchema>): Promise<Success> {
  const { workspaceId } = session;
  switch (body.intent) {
    case "create": {
      const form = await readForm(body.form);
      const made = await withUrlProblem(createWebhookEndpoint({ workspaceId, url: form.url, events: eventsOf(form), description: form.description }));
      return { ok: true, toast: "Endpoint added", id: made.id, url: made.url, secret: made.signingSecret };
    }
    case "update": {
      const current = await getWebhookEndpoint({ workspaceId, id: body.id });
      const form = await readForm(body.form);
      const url = form.url === current.url ? undefined : form.url;
      const saved = await withUrlProblem(updateWebhookEndpoint({ workspaceId, id: body.id, url, events: eventsOf(form), description: form.description || null }));
      return { ok: true, toast: "Endpoint saved", id: saved.id };
    }
    case "toggle": {
      const saved = await updateWebhookEndpoint({ workspaceId, id: body.id, enabled: body.enabled });
      return { ok: true, toast: saved.enabled ? "Endpoint enabled: events are sent to it again" : "Endpoint disabled: no events are sent to it", id: saved.id };
    }
    case "rotate": {
      const rotated = await rotateWebhookSecret({ workspaceId, id: body.id, expiresInHours: body.expiresInHours });
      return { ok: true, toast: "Signing secret rotated", id: rotated.id, url: rotated.url, secret: rotated.signingSecret };
    }
    case "test": {
      const result = await testWebhookEndpoint({ workspaceId, id: body.id });
      const test = { success: result.success, statusCode: result.statusCode, responseTimeMs: result.responseTimeMs, error: result.error, at: now().toISOString() };
      return { ok: true, toast: result.success ? "Test event delivered" : "Test event not delivered", id: body.id, test };
    }
    case "delete": {
      await deleteWebhookEndpoint({ workspaceId, id: body.id });
      return { ok: true, toast: "Endpoint deleted", id: body.id };
    }
    case "replay": {
      const delivery = await replayWebhookDelivery({ workspaceId, id: body.id });
      return { ok: true, toast: "Replay queued: the event is sent again in a moment", id: delivery.id };
    }
  }
}

export function webhooksAction(callerOf: CallerOf) {
  return async ({ request }: ActionFunctionArgs) => {
    const session = await callerOf(request);
    try {
      const body = await readJson(request, ActionSchema);
      requirePermission(session, "manage_settings");
      return await run(session, body);
    } catch (error) {
      return actionFailure(error);
    }
  };
}

export type WebhooksAction = ReturnType<typeof webhooksAction>;
