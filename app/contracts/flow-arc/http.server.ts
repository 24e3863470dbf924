// What every Flow Arc operation does before its handler (seed 001): an API key as `Authorization:
// Bearer …` (Recoup's keys; a dashboard session is not accepted, as on the rest of /api/v1), the
// key's rate budget, and its scope. Errors answer in Flow Arc's `{error, message}`.
import { z } from "zod";
import { AppError } from "~/domain/errors";
import { authenticateApiKey, requireScope, type Caller } from "~/http/auth.server";
import { readJson } from "~/http/body.server";
import { zodDetail } from "~/http/problem.server";
import { countedCaller } from "~/http/rate-limit.server";

export async function flowArcCaller(request: Request, scope: string): Promise<Caller> {
  const caller = await countedCaller(request, "api-v1", () => authenticateApiKey(request));
  if (!caller) throw new AppError("unauthorized", "Send your API key as `Authorization: Bearer <key>`.");
  requireScope(caller, scope);
  return caller;
}

/**
 * The JSON body against the operation's schema. Flow Arc answers a malformed body 400 on create
 * and 422 on PATCH (its document says so per operation): `status` picks which.
 */
export async function flowArcBody<S extends z.ZodType>(request: Request, schema: S, status: 400 | 422): Promise<z.output<S>> {
  try {
    return await readJson(request, schema);
  } catch (error) {
    const detail = error instanceof z.ZodError ? zodDetail(error) : null;
    if (status === 422 && (detail || (error instanceof AppError && (error.code === "validation_failed" || error.code === "invalid_json")))) {
      throw new AppError("unprocessable_entity", detail?.detail ?? (error as AppError).message, detail ? { errors: detail.errors } : undefined);
    }
    throw error;
  }
}

export function flowArcQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  return schema.parse(Object.fromEntries(new URL(request.url).searchParams));
}
