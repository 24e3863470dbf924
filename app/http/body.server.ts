import { z } from "zod";
import { describeUnstorable, findUnstorable, jsonDepthExceeds } from "~/utils/storable-text";
import { AppError } from "~/domain/errors";

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Reads the raw body, refusing more than `maxBytes` with 413 (without buffering it all). */
export async function readRawBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function readJson<S extends z.ZodType>(request: Request, schema: S, maxBytes?: number): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (type && !type.includes("json")) {
    throw new AppError("unsupported_media_type", "Send the body as application/json.");
  }
  const raw = await readRawBody(request, maxBytes);
  if (!raw) return schema.parse(undefined);
  const parsed = parseJson(raw);
  // Field paths as these routes' zod errors name them ("name", "steps.1.subject"), no "body." prefix.
  assertStorable(parsed, "body", "validation_failed", { prefix: false });
  return schema.parse(parsed);
}

/**
 * JSON.parse behind a linear bound: text nested deeper than MAX_JSON_DEPTH is refused before it is
 * parsed, so no parser, schema or walk (each recursive somewhere: zod, JSON.stringify, Prisma's
 * serialiser) ever holds a value deep enough to overflow the stack or stall the event loop.
 */
function parseJson(raw: string): unknown {
  if (jsonDepthExceeds(raw)) {
    const { detail, message } = describeUnstorable({ reason: "depth", path: "(body)" });
    throw new AppError("validation_failed", detail, { errors: [{ path: "body", message }] });
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError("invalid_json", "The body is not valid JSON.");
  }
}

/**
 * JSON.parse for a body Recoup may store: invalid JSON is 400 `invalid_json`; a NUL, a lone
 * surrogate or absurd nesting anywhere in it is 400 `validation_failed` naming the field (every
 * JSON body goes through here or through `assertStorable`, so none reaches PostgreSQL).
 */
export function parseJsonBody(raw: string): unknown {
  const parsed = parseJson(raw);
  assertStorable(parsed, "body");
  return parsed;
}

/** Refuses a value (a parsed body, the query, path parameters) holding what PostgreSQL cannot store. */
export function assertStorable(
  value: unknown,
  where: "body" | "query" | "params",
  code: "validation_failed" | "malformed_event" = "validation_failed",
  { prefix = true }: { prefix?: boolean } = {},
): void {
  const found = findUnstorable(value);
  if (!found) return;
  const { detail, message } = describeUnstorable(found, where === "body" ? "The body" : `The ${where === "query" ? "query" : "path"}`);
  const path = found.path === "(body)" ? where : prefix ? `${where}.${found.path}` : found.path;
  throw new AppError(code, detail, { errors: [{ path, message }] });
}

/**
 * A page's form post. A body that is not a form (JSON, garbage, a truncated multipart) reads as
 * an empty form, so the route's own validation answers it (a 400 naming the field), never a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}

export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return schema.parse(params);
}
