import type { ExtensionContextValue } from "@stripe/ui-extension-sdk/context";
import { fetchStripeSignature } from "@stripe/ui-extension-sdk/utils";
import { BACKEND_URL } from "./config";

/** A call the backend refused or that never reached it; `message` is shown as it is. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "BackendError";
  }
}

export type AppContext = Pick<ExtensionContextValue, "userContext" | "environment">;

/**
 * POSTs to Recoup's `/api/stripe-app/<path>` with the Stripe-Signature the
 * Dashboard issues for this user and account; the backend checks it against the
 * app's signing secret and answers in the account's workspace.
 */
export async function callBackend<T>(path: string, context: AppContext, extra: Record<string, string> = {}): Promise<T> {
  const { userContext, environment } = context;
  if (!userContext.id) throw new BackendError("Stripe did not say which Dashboard user you are. Reload the page.", 0, null);
  const body = {
    user_id: userContext.id,
    account_id: userContext.account.id,
    ...(userContext.account.name ? { account_name: userContext.account.name } : {}),
    mode: environment.mode,
    ...extra,
  };
  let response: Response;
  try {
    const signature = await fetchStripeSignature();
    response = await fetch(`${BACKEND_URL}/${path}`, {
      method: "POST",
      headers: { "Stripe-Signature": signature, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new BackendError("Recoup could not be reached. Check your connection and try again.", 0, null);
  }
  const data = (await response.json().catch(() => null)) as (T & { detail?: unknown; code?: unknown }) | null;
  if (!response.ok || data === null) {
    const detail = typeof data?.detail === "string" ? data.detail : `Recoup answered with an error (${response.status}).`;
    throw new BackendError(detail, response.status, typeof data?.code === "string" ? data.code : null);
  }
  return data;
}

export function messageOf(error: unknown): string {
  return error instanceof BackendError ? error.message : "Something went wrong. Try again.";
}
