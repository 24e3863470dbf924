import { statusOf } from "~/http/errors";
import { AppError } from "~/domain/errors";

/** What a call threw (Remix's `data(…, {status})` for loaders and actions); fails when nothing was. */
export async function thrown<T = { data?: unknown; init?: ResponseInit | null }>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error("expected a throw");
}

/** The AppError a domain call threw; anything else thrown is rethrown, nothing thrown fails. */
export async function thrownAppError(promise: Promise<unknown>): Promise<AppError> {
  const error = await thrown<unknown>(promise);
  if (error instanceof AppError) return error;
  throw error;
}

/** The AppError a domain call threw, with the HTTP status its code maps to (app/http/errors.ts). */
export async function thrownWithStatus(promise: Promise<unknown>) {
  const error = await thrownAppError(promise);
  return { code: error.code, status: statusOf(error), message: error.message, meta: error.meta };
}
