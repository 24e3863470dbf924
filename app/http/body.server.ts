import { z } from "zod";
import { AppError } from "./errors";

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
  let parsed: unknown;
  try {
    parsed = raw ? JSON.parse(raw) : undefined;
  } catch {
    throw new AppError("invalid_json", "The body is not valid JSON.");
  }
  return schema.parse(parsed);
}

export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  return schema.parse(params);
}
