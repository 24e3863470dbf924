import { z } from "zod";
import { ERROR_STATUS } from "~/http/errors";
import { buildInfo } from "~/utils/build-info.server";
import { registeredOperations, type OperationDoc } from "./endpoint.server";
import { speaksLostChurn } from "~/http/lostchurn-errors";
import { speaksFlowArc } from "~/http/flow-arc-errors";
import { isPageSchema } from "./pagination.server";
import { rateLimits } from "~/http/rate-limit.server";
import { apiSchemaMetadata } from "~/utils/schema-names";
import { API_VERSIONS, CURRENT_API_VERSION, VERSION_HEADER } from "~/utils/api-versions";
import type { ErrorCode } from "~/domain/errors";
import { WEBHOOK_EVENT_CATALOGUE, WEBHOOK_EVENT_TYPES, webhookEnvelopeSchema } from "~/domain/webhooks/schemas";
import { DEFAULT_TOLERANCE_SECONDS, SIGNATURE_HEADER } from "~/domain/webhooks/signing";

/**
 * OpenAPI 3.1 for /api/v1, generated from the endpoints' zod schemas with zod's own
 * `z.toJSONSchema` (JSON Schema 2020-12, which is OpenAPI 3.1's dialect; ADR 0013). Schemas named
 * with `.register(API_SCHEMA_NAMES, { id })` (./schema-names) become `components.schemas`.
 */
type Json = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: "Invalid request (VALIDATION_ERROR with error.errors[], INVALID_CURSOR, UNSUPPORTED_VERSION)",
  401: "Missing, unknown, revoked or expired API key",
  403: "The key lacks the scope named in error.required_scope",
  404: "Not found in this workspace",
  405: "Method not allowed",
  409: "Conflict (idempotency_key_reused, idempotency_key_in_use, or the resource's state)",
  413: "Body too large",
  415: "Body is not JSON",
  429: "Rate limited: wait Retry-After seconds",
  500: "Unexpected error (quote trace_id)",
};

/** LostChurn's error body (ADR 0067), on every /api/v1 path but Flow Arc's. */
const LostChurnErrorSchema: Json = {
  type: "object",
  description: "LostChurn's error: `error.code` is stable and upper-case; `error.type` is Recoup's precise code; quote `trace_id` to support.",
  required: ["error", "trace_id"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "type"],
      additionalProperties: true,
      properties: {
        code: { type: "string", description: "VALIDATION_ERROR, UNAUTHORIZED, INSUFFICIENT_SCOPE, NOT_FOUND, CONFLICT, RATE_LIMITED, …" },
        message: { type: "string" },
        type: { type: "string", description: "Recoup's own code (e.g. payment_not_found, invalid_cursor)." },
        errors: { type: "array", description: "VALIDATION_ERROR: each field's `{path, message}`.", items: { type: "object" } },
        required_scope: { type: "string", description: "INSUFFICIENT_SCOPE: the scope the operation needs." },
        retry_after: { type: "integer", description: "RATE_LIMITED: seconds to wait." },
      },
    },
    trace_id: { type: "string" },
  },
};

const MetaSchema: Json = {
  type: "object",
  required: ["merchant_id", "timestamp"],
  properties: {
    merchant_id: { type: ["string", "null"], description: "The API key's workspace; null without a key." },
    timestamp: { type: "string", format: "date-time" },
  },
};

const PaginationSchema: Json = {
  type: "object",
  description: "Offset pages (`page`/`per_page`).",
  required: ["page", "per_page", "total", "total_pages"],
  properties: { page: { type: "integer" }, per_page: { type: "integer" }, total: { type: "integer" }, total_pages: { type: "integer" } },
};

const CursorSchema: Json = {
  type: "object",
  description: "Cursor pages (`cursor`/`limit`): pass `next` as `cursor`; null on the last page.",
  required: ["next"],
  properties: { next: { type: ["string", "null"] } },
};

/** Flow Arc's ErrorResponse (seed 001), on its operations. */
const FlowArcErrorSchema: Json = {
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string", description: "Recoup's stable error code." }, message: { type: "string" } },
};

const ProblemSchema: Json = {
  type: "object",
  description: "application/problem+json (RFC 9457) with a stable `code` and the request's `traceId`.",
  required: ["type", "title", "status", "code", "detail", "traceId"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    code: { type: "string", description: "Stable machine-readable error code." },
    detail: { type: "string" },
    traceId: { type: "string" },
    instance: { type: "string" },
    meta: {
      type: "object",
      additionalProperties: true,
      description: "`errors[]` ({path, message}) for validation_failed, `required_scope` for insufficient_scope, `retry_after` for rate_limited.",
    },
    error: { type: "string" },
    message: { type: "string" },
  },
};

class Components {
  schemas: Record<string, Json> = { Problem: ProblemSchema, Error: LostChurnErrorSchema, ErrorResponse: FlowArcErrorSchema, Meta: MetaSchema, Pagination: PaginationSchema, Cursor: CursorSchema };

  /** JSON Schema for `schema`; named sub-schemas go to components (as `NameInput` when read as input and different). */
  convert(schema: z.ZodType, io: "input" | "output"): Json {
    const raw = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any", metadata: apiSchemaMetadata }) as Json;
    const defs = (raw.$defs ?? {}) as Record<string, Json>;
    delete raw.$defs;
    delete raw.$schema;
    const names = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) names.set(id, this.add(id, def, io));
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (!node || typeof node !== "object") return node;
      const out: Json = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) out[k] = `#/components/schemas/${names.get(v.slice(8)) ?? v.slice(8)}`;
        else out[k] = rewrite(v);
      }
      return out;
    };
    for (const name of names.values()) this.schemas[name] = rewrite(this.schemas[name]) as Json;
    const top = rewrite(raw) as Json;
    if (typeof top.id === "string") {
      const name = this.add(top.id, top, io);
      return { $ref: `#/components/schemas/${name}` };
    }
    return top;
  }

  private add(id: string, def: Json, io: "input" | "output"): string {
    const { id: _id, ...clean } = def;
    const existing = this.schemas[id];
    if (!existing || JSON.stringify(existing) === JSON.stringify(clean)) {
      this.schemas[id] = clean;
      return id;
    }
    const name = io === "input" ? `${id}Input` : id;
    this.schemas[name] = clean;
    return name;
  }
}

function operationId(op: OperationDoc): string {
  return op.summary
    .replace(/[^A-Za-z0-9 ]/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w.toLowerCase() : w === w.toUpperCase() ? w[0] + w.slice(1).toLowerCase() : w[0]!.toUpperCase() + w.slice(1)))
    .join("");
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query", components: Components): Json[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const json = components.convert(field, "input");
    const { description, ...rest } = json;
    return {
      name,
      in: where,
      required: where === "path" || !field.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/** The 2xx body: the pipeline's envelope around the response (a page: its items, with pagination or cursor), else the response itself. */
function successSchema(op: OperationDoc, components: Components): Json {
  if (!op.pipeline) return components.convert(op.response, "output");
  const meta = { $ref: "#/components/schemas/Meta" };
  if (isPageSchema(op.response)) {
    const item = (op.response as z.ZodObject<{ items: z.ZodArray<z.ZodType> }>).shape.items.element;
    return {
      type: "object",
      required: ["data", "meta"],
      description: "A page: `pagination` for offset pages, `cursor` for cursor pages (the style the list documents, or the one the query names).",
      properties: {
        data: { type: "array", items: components.convert(item, "output") },
        meta,
        pagination: { $ref: "#/components/schemas/Pagination" },
        cursor: { $ref: "#/components/schemas/Cursor" },
      },
    };
  }
  return { type: "object", required: ["data", "meta"], properties: { data: components.convert(op.response, "output"), meta } };
}

/** Error responses an operation can give: the pipeline's own, plus the codes its handler throws. */
function errorStatuses(op: OperationDoc): number[] {
  const statuses = new Set<number>();
  if (op.pipeline) {
    statuses.add(400);
    statuses.add(429);
    if (op.auth !== "none") statuses.add(401);
    if (op.scope) statuses.add(403);
    if (op.method !== "GET") {
      statuses.add(413);
      statuses.add(415);
    }
    if (op.method === "POST") statuses.add(409);
  }
  for (const code of op.errors) statuses.add(ERROR_STATUS[code as ErrorCode]);
  statuses.add(500);
  return [...statuses].sort();
}

/** A runnable curl for the operation, with `$RECOUP_API_KEY` and `$ID`-style placeholders. */
export function curlExample(op: OperationDoc, baseUrl: string): string {
  let path: string = op.path.replace(/\{(\w+)\}/g, (_, name: string) => op.example?.params?.[name] ?? `$${name.toUpperCase()}`);
  if (op.example?.query) path += `?${new URLSearchParams(op.example.query).toString()}`;
  const lines = [`curl -s ${op.method === "GET" ? "" : `-X ${op.method} `}"${baseUrl}${path}"`];
  if (op.auth === "required") lines.push(`-H "Authorization: Bearer $RECOUP_API_KEY"`);
  if (op.method === "POST") lines.push(`-H "Idempotency-Key: $(uuidgen)"`);
  if (op.example?.body !== undefined) {
    lines.push(`-H "Content-Type: application/json"`);
    lines.push(`-d '${JSON.stringify(op.example.body).replace(/'/g, "'\\''")}'`);
  }
  return lines.join(" \\\n  ");
}

const WEBHOOK_HEADERS: Json[] = [
  {
    name: SIGNATURE_HEADER,
    in: "header",
    required: true,
    description:
      `\`t=<unix seconds>,v1=<hex>\`: v1 is HMAC-SHA256 of \`"<t>.<raw body>"\` keyed with the endpoint's signing secret (Stripe's scheme). ` +
      `Accept the event when any v1 matches (after a secret rotation, two are sent while the previous secret's overlap lasts) and refuse a \`t\` more than ${DEFAULT_TOLERANCE_SECONDS} seconds from your clock.`,
    schema: { type: "string", pattern: "^t=\\d+(,v1=[0-9a-f]{64})+$" },
  },
  { name: "Recoup-Event-Id", in: "header", required: true, description: "The event's id, the same on every attempt and replay: answer 2xx to one you have seen.", schema: { type: "string" } },
  { name: "Idempotency-Key", in: "header", required: true, description: "Equal to Recoup-Event-Id.", schema: { type: "string" } },
];

/**
 * OpenAPI 3.1's `webhooks`: each event type Recoup POSTs to endpoints, with its body's schema from
 * the event catalogue (app/domain/webhooks/schemas.ts), the same schemas every payload is checked
 * against before it is stored.
 */
function webhooksSection(components: Components): Record<string, Json> {
  const section: Record<string, Json> = {};
  for (const type of WEBHOOK_EVENT_TYPES) {
    section[type] = {
      post: {
        operationId: `webhook_${type.replace(/\./g, "_")}`,
        summary: type,
        description: WEBHOOK_EVENT_CATALOGUE[type].description,
        tags: ["Webhook events"],
        parameters: WEBHOOK_HEADERS,
        requestBody: { required: true, content: { "application/json": { schema: components.convert(webhookEnvelopeSchema(type), "output") } } },
        responses: {
          "200": { description: "Any 2xx within 10 seconds: received. Anything else, a redirect or no answer is retried (1 min, 5 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h), then given up; an endpoint failing for three days is disabled." },
        },
      },
    };
  }
  return section;
}

export function buildOpenApiDocument(opts: { baseUrl: string; operations?: OperationDoc[] }) {
  const components = new Components();
  const ops = [...(opts.operations ?? registeredOperations())].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  const limits = rateLimits();
  const rateHeaders = {
    "X-RateLimit-Limit": { $ref: "#/components/headers/X-RateLimit-Limit" },
    "X-RateLimit-Remaining": { $ref: "#/components/headers/X-RateLimit-Remaining" },
    "X-RateLimit-Reset": { $ref: "#/components/headers/X-RateLimit-Reset" },
    [VERSION_HEADER]: { $ref: `#/components/headers/${VERSION_HEADER}` },
    "X-Trace-Id": { $ref: "#/components/headers/X-Trace-Id" },
  };
  const paths: Record<string, Json> = {};
  const tags = new Set<string>();
  for (const op of ops) {
    op.tags.forEach((t) => tags.add(t));
    const parameters = [...parametersOf(op.params, "path", components), ...parametersOf(op.query, "query", components)];
    if (op.pipeline) parameters.push({ $ref: "#/components/parameters/RecoupVersion" });
    if (op.pipeline && op.method === "POST") parameters.push({ $ref: "#/components/parameters/IdempotencyKey" });
    const headers = op.pipeline ? rateHeaders : {};
    const responses: Json = {
      [String(op.status)]: {
        description: op.summary,
        headers,
        content: { "application/json": { schema: successSchema(op, components) } },
      },
    };
    const lostChurn = speaksLostChurn(op.path);
    const flowArc = speaksFlowArc(op.path);
    for (const status of errorStatuses(op)) {
      // The handler's own error codes with this status (the pipeline's are named in the description).
      const codes = op.errors.filter((code) => ERROR_STATUS[code] === status);
      responses[String(status)] = {
        description: STATUS_TEXT[status] ?? "Error",
        ...(codes.length ? { "x-error-codes": codes } : {}),
        headers: status === 429 ? { ...headers, "Retry-After": { $ref: "#/components/headers/Retry-After" } } : headers,
        content: flowArc
          ? { "application/json": { schema: { $ref: "#/components/schemas/ErrorResponse" } } }
          : lostChurn
          ? { "application/json": { schema: { $ref: "#/components/schemas/Error" } } }
          : { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      };
    }
    const security =
      op.auth === "none" ? [] : op.auth === "optional" ? [{}, { bearerAuth: [] }, { apiKeyHeader: [] }] : [{ bearerAuth: [] }, { apiKeyHeader: [] }];
    const description = [op.description, op.scope ? `Requires the \`${op.scope}\` scope.` : op.auth === "optional" ? "No key required." : undefined]
      .filter(Boolean)
      .join("\n\n");
    (paths[op.path] ??= {})[op.method.toLowerCase()] = {
      operationId: operationId(op),
      summary: op.summary,
      ...(description ? { description } : {}),
      tags: op.tags,
      security,
      ...(op.scope ? { "x-required-scope": op.scope } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { "application/json": { schema: components.convert(op.body, "input") } } } }
        : {}),
      responses,
      "x-codeSamples": [{ lang: "curl", label: "curl", source: curlExample(op, opts.baseUrl) }],
    };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Recoup API",
      version: buildInfo().version,
      description:
        `Recoup's public REST API. Authenticate with an API key (\`Authorization: Bearer rk_live_…\` or \`X-API-Key\`). ` +
        `JSON is snake_case, in LostChurn's envelope: \`{data, meta: {merchant_id, timestamp}}\`; lists add \`pagination\` ({page, per_page, total, total_pages}) or \`cursor\` ({next}); errors are \`{error: {code, message, type}, trace_id}\`. ` +
        `Rate limits per key: ${limits.readPerMinute} reads/min, ${limits.writePerMinute} writes/min, ${limits.perHour}/h in all. ` +
        `Every POST accepts an \`Idempotency-Key\`. API versions: ${API_VERSIONS.join(", ")} (default ${CURRENT_API_VERSION}).`,
    },
    servers: [{ url: opts.baseUrl }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    webhooks: webhooksSection(components),
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer rk_live_…`." },
        apiKeyHeader: { type: "apiKey", in: "header", name: "X-API-Key" },
      },
      parameters: {
        RecoupVersion: {
          name: VERSION_HEADER,
          in: "header",
          required: false,
          description: `API version; default ${CURRENT_API_VERSION}. Unknown versions are 400 unsupported_version.`,
          schema: { type: "string", enum: [...API_VERSIONS] },
        },
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "Retry safely: the same key with the same request replays the first response (Idempotent-Replayed: true) for 24 h; with another request it is 409.",
          schema: { type: "string", minLength: 1, maxLength: 255 },
        },
      },
      headers: {
        "X-RateLimit-Limit": { description: "Requests allowed in the tightest current window.", schema: { type: "integer" } },
        "X-RateLimit-Remaining": { description: "Requests left in that window.", schema: { type: "integer" } },
        "X-RateLimit-Reset": { description: "Unix time (seconds) when that window starts afresh.", schema: { type: "integer" } },
        "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
        [VERSION_HEADER]: { description: "The API version this response follows.", schema: { type: "string" } },
        "X-Trace-Id": { description: "Quote it to support.", schema: { type: "string" } },
      },
    },
  };
}
