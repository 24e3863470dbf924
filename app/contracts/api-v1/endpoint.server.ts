/**
 * # How to add a /api/v1 endpoint
 *
 * One `defineEndpoint` per operation, in the route file for its path (Remix flat routes:
 * `app/routes/api.v1.payments.$id.ts` serves `/api/v1/payments/{id}`), then `routeOf(...)`:
 *
 * ```ts
 * const getPayment = defineEndpoint({
 *   method: "GET",
 *   path: "/api/v1/payments/{id}",          // OpenAPI form, the same as the file's path
 *   scope: "read:payments",                 // `read` grants it too; `admin` grants everything
 *   summary: "Get a payment",
 *   tags: ["Payments"],                     // the resource group in /docs/api
 *   params: z.object({ id: z.string() }),
 *   query: PageQuerySchema.extend({ … }),   // lists: pageRequest(query) + paginate(), pageSchema(Item); CursorPageQuerySchema + pageRequest(query, "cursor") where LostChurn pages by cursor
 *   body: z.object({ … }),                  // POST/PUT/PATCH: snake_case fields
 *   response: PaymentSchema,                // snake_case; .register(API_SCHEMA_NAMES, { id: "Payment" }) names it (./schema-names)
 *   status: 200,                            // 201 for creations
 *   errors: ["payment_not_found"],          // error codes the handler can throw, for the document
 *   example: { body: { … } },               // the curl example in /docs/api
 *   handler: async ({ workspaceId, params }) => getPaymentFor({ workspaceId, id: params.id }),
 * });
 * const route = routeOf(getPayment);          // every operation on this path
 * export const loader = route.loader;          // GET (or 405)
 * export const action = route.action;          // the other methods, by request method (or 405)
 * ```
 *
 * Keep exactly this shape: `const`s reached only from `export const loader/action = …` (no bare
 * top-level calls, no destructuring in the export): Remix then strips them, with their server
 * imports, from the browser bundle; otherwise `npm run build` fails ("Server-only module
 * referenced by client").
 *
 * That is all: the route file is picked up by the OpenAPI document (`registry.server.ts` imports
 * every `app/routes/api.v1.*` file), and a test fails if a route is missing from it.
 *
 * Each request goes through, in order: trace id; `Recoup-Version` (unknown → 400
 * `unsupported_version`, answered once the rate-limit headers are known); API-key authentication
 * (Bearer or X-API-Key; dashboard sessions are not accepted here; missing or bad key → 401); the
 * rate limit for that key (or for the caller's address when there is no valid key), with
 * `X-RateLimit-*` headers on every response and 429 + `Retry-After` when over; the scope (403 with
 * `meta.required_scope`); strict zod parsing of params, query and body (unknown fields are 400
 * `validation_failed` with `meta.errors[]`; bodies over `maxBodyBytes` are 413); `Idempotency-Key` on
 * POST; the handler; snake_case serialisation, checked against `response` (so nothing the schema
 * does not declare, such as a hash, can leak), in LostChurn's envelope (./envelope.ts, ADR 0067:
 * `{data, meta}`, a page's `pagination` or `cursor` beside; errors `{error: {code, message}}`). Handlers return camelCase objects and Dates;
 * they read the caller's workspace from `ctx.workspaceId` and must scope every query to it
 * (another workspace's id is a 404). Errors are `throw new AppError(code, message)`.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticateApiKey, type Caller } from "~/http/auth.server";
import { assertStorable, DEFAULT_MAX_BODY_BYTES, parseJsonBody, readRawBody } from "~/http/body.server";
import { hasScope } from "~/domain/auth/api-keys.server";
import { json, toProblem, traceIdFor } from "~/http/problem.server";
import { toWire, type Camelize } from "~/utils/casing";
import { envelope, metaFor } from "./envelope";
import { claimIdempotencyKey, fingerprintOf, idempotencyKeyOf, settleIdempotencyKey } from "./idempotency.server";
import { isPageSchema } from "./pagination.server";
import { clientAddress, countRequest, rateLimitHeaders, rateStateOf, subjectOf } from "~/http/rate-limit.server";
import { API_VERSIONS, CURRENT_API_VERSION, VERSION_HEADER, type ApiVersion } from "~/utils/api-versions";
import { AppError, type ErrorCode } from "~/domain/errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

interface CallerScope {
  workspaceId: string;
  livemode: boolean;
}

export interface EndpointContext<P, Q, B, A extends AuthMode> {
  request: Request;
  traceId: string;
  version: ApiVersion;
  /** The API key calling; null only on `auth: "optional"` endpoints called without a key. */
  caller: A extends "optional" ? Caller | null : Caller;
  workspaceId: A extends "optional" ? string | null : string;
  /** Whose rows the call sees: the key's workspace and mode (ADR 0032), the domain's ApiScope. */
  scope: A extends "optional" ? CallerScope | null : CallerScope;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

export type AuthMode = "required" | "optional";

/** What the OpenAPI document needs to know about an operation. */
export interface OperationDoc {
  method: HttpMethod;
  path: `/api/v1/${string}`;
  summary: string;
  description?: string;
  tags: [string, ...string[]];
  /** "none": the operation ignores credentials (health, the document itself). */
  auth: AuthMode | "none";
  scope?: string;
  params?: Schema;
  query?: Schema;
  body?: Schema;
  response: Schema;
  status: number;
  errors: ErrorCode[];
  /** False for operations outside the v1 pipeline (no rate limit, no version header). */
  pipeline: boolean;
  example?: { body?: unknown; query?: Record<string, string>; params?: Record<string, string> };
}

export interface EndpointConfig<R extends Schema, P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined, A extends AuthMode> {
  method: HttpMethod;
  path: `/api/v1/${string}`;
  summary: string;
  description?: string;
  tags: [string, ...string[]];
  /** Default "required". "optional": a missing key is fine, a wrong one is still 401. */
  auth?: A;
  /**
   * Required scope, e.g. "read:payments" or "admin"; "webhooks|read" accepts either (LostChurn's
   * "webhooks or read"). Required unless `auth: "optional"`.
   */
  scope?: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  status?: 200 | 201 | 202;
  errors?: ErrorCode[];
  maxBodyBytes?: number;
  example?: OperationDoc["example"];
  handler(ctx: EndpointContext<P, Q, B, A>): Promise<Camelize<z.input<R>>>;
}

export interface Endpoint extends OperationDoc {
  handle(args: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response>;
}

const globalForRegistry = globalThis as unknown as { __recoupApiV1Operations?: Map<string, OperationDoc> };
const operations = (globalForRegistry.__recoupApiV1Operations ??= new Map<string, OperationDoc>());

function register(op: OperationDoc) {
  operations.set(`${op.method} ${op.path}`, op);
}

/** Every operation registered so far; import `registry.server.ts` to have them all. */
export function registeredOperations(): OperationDoc[] {
  return [...operations.values()];
}

/**
 * For /api/v1 routes that keep a contract of their own (Flow Arc's health, the document itself):
 * documented, not wrapped. `export const loader = documented({...}, handler)`: keeping the call
 * inside the export lets Remix strip it, and its server imports, from the browser bundle.
 */
export function documented<F>(doc: Omit<OperationDoc, "status" | "errors" | "pipeline"> & { status?: number; errors?: ErrorCode[] }, handler: F): F {
  register({ status: 200, errors: [], pipeline: false, ...doc });
  return handler;
}

function strict(schema: Schema | undefined): Schema | undefined {
  return schema instanceof z.ZodObject ? schema.strict() : schema;
}

/** Field errors as `{path: "body.name", message}`; an unknown field is named, not just counted. */
function validationError(where: "params" | "query" | "body", error: z.ZodError): AppError {
  const errors = error.issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ path: `${base}.${key}`, message: "Unknown field." }));
    return [{ path: base, message: issue.message }];
  });
  const first = errors[0]!;
  return new AppError("validation_failed", `${first.path}: ${first.message}`, { errors });
}

function parse(where: "params" | "query" | "body", schema: Schema | undefined, value: unknown): unknown {
  assertStorable(value, where);
  if (!schema) {
    // An operation without query parameters refuses unknown ones, as operations with them do.
    const unknown = where === "query" && value && typeof value === "object" ? Object.keys(value) : [];
    if (unknown.length > 0) {
      throw new AppError("validation_failed", `This operation takes no query parameters (got ${unknown.map((k) => `"${k}"`).join(", ")}).`, {
        errors: unknown.map((key) => ({ path: `query.${key}`, message: "Unknown query parameter." })),
      });
    }
    return undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

function negotiateVersion(request: Request): ApiVersion | AppError {
  const asked = request.headers.get(VERSION_HEADER)?.trim();
  if (!asked) return CURRENT_API_VERSION;
  if ((API_VERSIONS as readonly string[]).includes(asked)) return asked as ApiVersion;
  return new AppError("unsupported_version", `Unknown ${VERSION_HEADER} "${asked}". Supported: ${API_VERSIONS.join(", ")}.`, {
    supported_versions: [...API_VERSIONS],
  });
}

async function readBody(request: Request, schema: Schema | undefined, maxBytes: number): Promise<{ raw: string; value: unknown }> {
  if (request.method === "GET" || request.method === "HEAD") return { raw: "", value: undefined };
  const type = request.headers.get("content-type") ?? "";
  const raw = await readRawBody(request, maxBytes);
  if (!raw.trim()) return { raw, value: schema ? {} : undefined };
  if (type && !type.includes("json")) throw new AppError("unsupported_media_type", "Send the body as application/json.");
  const value = parseJsonBody(raw);
  if (!schema && !(value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) {
    throw new AppError("validation_failed", "This operation takes no body.", { errors: [{ path: "body", message: "Send no body." }] });
  }
  return { raw, value };
}

export function defineEndpoint<
  R extends Schema,
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  A extends AuthMode = "required",
>(config: EndpointConfig<R, P, Q, B, A>): Endpoint {
  const auth: AuthMode = config.auth ?? "required";
  if (auth === "required" && !config.scope) throw new Error(`${config.method} ${config.path}: give the scope it needs`);
  const params = strict(config.params);
  const query = strict(config.query);
  const body = strict(config.body);
  const status = config.status ?? 200;
  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const anyOfScopes = config.scope?.split("|");
  const isPage = isPageSchema(config.response);

  async function handle({ request, params: rawParams }: LoaderFunctionArgs | ActionFunctionArgs): Promise<Response> {
    const traceId = traceIdFor(request);
    const version = negotiateVersion(request);
    let claimed: string | null = null;
    let response: Response;
    try {
      let caller: Caller | null;
      try {
        caller = await authenticateApiKey(request);
        if (!caller && auth === "required") throw new AppError("unauthorized", "Send an API key as `Authorization: Bearer rk_…` or `X-API-Key: rk_…`.");
      } catch (error) {
        // Failed sign-ins count against the caller's address, so keys cannot be guessed at speed.
        await countRequest(request, `ip:${clientAddress(request)}`, "api-v1");
        throw error;
      }
      await countRequest(request, caller ? subjectOf(caller) : `ip:${clientAddress(request)}`, "api-v1");
      if (version instanceof AppError) throw version;
      if (anyOfScopes && caller && !anyOfScopes.some((one) => hasScope(caller.scopes, one))) {
        const named = anyOfScopes.map((one) => `"${one}"`).join(" or ");
        throw new AppError("insufficient_scope", `This API key lacks the ${named} scope.`, { required_scope: config.scope });
      }
      const input = {
        params: parse("params", params, rawParams),
        query: parse("query", query, Object.fromEntries(new URL(request.url).searchParams)),
        ...(await readBody(request, body, maxBodyBytes)),
      };
      const parsedBody = parse("body", body, input.value);

      const idempotencyKey = config.method === "POST" && caller ? idempotencyKeyOf(request) : null;
      if (idempotencyKey && caller) {
        const claim = await claimIdempotencyKey({
          workspaceId: caller.workspaceId,
          apiKeyId: caller.apiKeyId,
          key: idempotencyKey,
          fingerprint: fingerprintOf(request, input.raw),
        });
        if (claim.kind === "replay") return finish(claim.response);
        claimed = claim.id;
      }

      const result = await config.handler({
        request,
        traceId,
        version,
        caller: caller as EndpointContext<P, Q, B, A>["caller"],
        workspaceId: (caller?.workspaceId ?? null) as EndpointContext<P, Q, B, A>["workspaceId"],
        scope: (caller ? { workspaceId: caller.workspaceId, livemode: caller.livemode } : null) as EndpointContext<P, Q, B, A>["scope"],
        params: input.params as Out<P>,
        query: input.query as Out<Q>,
        body: parsedBody as Out<B>,
      });
      const wire = config.response.safeParse(toWire(result));
      if (!wire.success) throw new Error(`${config.method} ${config.path}: the response does not match its schema: ${wire.error.message}`);
      // LostChurn's envelope (ADR 0067): the data, whose merchant and when; a list's page beside it.
      response = json(envelope(wire.data, metaFor(caller?.workspaceId ?? null), isPage), status);
    } catch (error) {
      response = toProblem(error, request, traceId);
    }
    response.headers.set("X-Trace-Id", traceId);
    if (claimed) await settleIdempotencyKey(claimed, response);
    return finish(response);

    function finish(res: Response): Response {
      for (const [name, value] of Object.entries(rateLimitHeaders(rateStateOf(request)))) res.headers.set(name, value);
      if (!(version instanceof AppError)) res.headers.set(VERSION_HEADER, version);
      // A replay keeps the first answer's trace id, the one its body quotes.
      if (!res.headers.has("X-Trace-Id")) res.headers.set("X-Trace-Id", traceId);
      return res;
    }
  }

  const endpoint: Endpoint = {
    method: config.method,
    path: config.path,
    summary: config.summary,
    description: config.description,
    tags: config.tags,
    auth,
    scope: config.scope,
    params: config.params,
    query: config.query,
    body: config.body,
    response: config.response,
    status,
    errors: config.errors ?? [],
    pipeline: true,
    example: config.example,
    handle,
  };
  register(endpoint);
  return endpoint;
}

/** The route module's `loader` (its GET) and `action` (every other method, by request method). */
export function routeOf(...endpoints: Endpoint[]) {
  const get = endpoints.find((e) => e.method === "GET");
  const others = new Map(endpoints.filter((e) => e.method !== "GET").map((e) => [e.method, e]));
  const allowed = endpoints.map((e) => e.method).join(", ");
  const notAllowed = (request: Request) =>
    toProblem(new AppError("method_not_allowed", `Use ${allowed} on this path.`), request);
  const withAllow = (response: Response) => {
    response.headers.set("Allow", allowed);
    return response;
  };
  const loader = async (args: LoaderFunctionArgs) => (get ? get.handle(args) : withAllow(notAllowed(args.request)));
  const action = async (args: ActionFunctionArgs) => {
    const endpoint = others.get(args.request.method.toUpperCase() as HttpMethod);
    return endpoint ? endpoint.handle(args) : withAllow(notAllowed(args.request));
  };
  // The methods each export serves, for the route-coverage test (the other methods answer 405).
  return {
    loader: Object.assign(loader, { methods: get ? (["GET"] as HttpMethod[]) : [] }),
    action: Object.assign(action, { methods: [...others.keys()] }),
  };
}
