import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { readJson } from "~/http/body.server";
import { AppError } from "~/domain/errors";
import { apiHandler, problem } from "~/http/problem.server";
import { stripeAppSecret, verifyStripeAppSignature } from "~/integrations/stripe/app-signature.server";
import { resolveStripeAppAccount, type StripeAppAccount } from "~/providers/stripe/stripe-app.server";

/**
 * The Dashboard app runs in a sandboxed iframe whose origin is `null`, so its
 * calls are cross-origin: every answer (errors and preflights too) allows any
 * origin. Authentication is the signature, never a cookie.
 */
const STRIPE_APP_CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "Stripe-Signature, Content-Type",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Max-Age": "600",
} as const;

/** What fetchStripeSignature() signs, plus what the view knows about the account (unsigned, used only to name a new workspace). */
export const SignedBodySchema = z.object({
  user_id: z.string().regex(/^usr_[A-Za-z0-9]+$/, "must be a Stripe Dashboard user id (usr_…)"),
  account_id: z.string().regex(/^acct_[A-Za-z0-9]+$/, "must be a Stripe account id (acct_…)"),
  account_name: z.string().max(200).nullish(),
  mode: z.enum(["live", "test"]).optional(),
});
export type SignedBody = z.infer<typeof SignedBodySchema>;

function withCors(response: Response): Response {
  for (const [name, value] of Object.entries(STRIPE_APP_CORS_HEADERS)) response.headers.set(name, value);
  return response;
}

const preflight = () => new Response(null, { status: 204 });

/** A route's action: POST runs `fn`; OPTIONS is the preflight; every response carries the CORS headers. */
export function stripeAppAction(fn: (args: ActionFunctionArgs & { traceId: string }) => Promise<Response>) {
  const handle = apiHandler<ActionFunctionArgs>(async (args) => {
    if (args.request.method === "OPTIONS") return preflight();
    if (args.request.method !== "POST") throw new AppError("method_not_allowed", "Use POST.");
    return fn(args);
  });
  return async (args: ActionFunctionArgs) => withCors(await handle(args));
}

/** Remix sends OPTIONS (and GET) to the loader, not the action. */
export async function stripeAppLoader({ request }: LoaderFunctionArgs): Promise<Response> {
  if (request.method === "OPTIONS") return withCors(preflight());
  return withCors(problem("method_not_allowed", "Use POST.", { headers: { Allow: "POST, OPTIONS" } }));
}

/**
 * 503 when the app secret is not configured, 401 without a valid, fresh
 * signature for this user and account, 400 for a malformed body; then the
 * account's workspace (created on its first call).
 */
export async function authenticateStripeApp<T extends SignedBody>(
  request: Request,
  schema: z.ZodType<T> = SignedBodySchema as unknown as z.ZodType<T>,
): Promise<StripeAppAccount & { userId: string; body: T }> {
  stripeAppSecret();
  const header = request.headers.get("stripe-signature");
  if (!header) throw new AppError("invalid_signature", "Send the Stripe-Signature header from fetchStripeSignature().");
  const body = await readJson(request, schema);
  verifyStripeAppSignature({ userId: body.user_id, accountId: body.account_id, header });
  const account = await resolveStripeAppAccount({
    stripeAccountId: body.account_id,
    accountName: body.account_name,
    livemode: body.mode === undefined ? undefined : body.mode === "live",
  });
  return { ...account, userId: body.user_id, body };
}
