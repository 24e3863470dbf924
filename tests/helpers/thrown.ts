import { AppError } from "~/http/errors";

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
