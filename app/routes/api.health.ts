import type { LoaderFunctionArgs } from "@remix-run/node";
import { paymentCounts, pingDatabase } from "~/domain/analytics/stats.server";
import { authenticate } from "~/http/auth.server";
import { apiHandler, json } from "~/http/problem.server";
import { clientAddress, countRequest, subjectOf } from "~/http/rate-limit.server";
import { env } from "~/utils/env.server";

// Revive's GET /api/health. Never a 500: a database failure answers 503 with db.status "error".
// Stats only for an authenticated caller, and only about its own workspace.
function envFlags() {
  let config: Partial<ReturnType<typeof env>> = {};
  try {
    config = env();
  } catch {
    // An invalid configuration is reported by the flags below, not by a crash.
  }
  const has = (key: string, value: unknown) => Boolean(value ?? process.env[key]);
  return {
    hasRedisUrl: false, // queues live in PostgreSQL (pg-boss); the key stays for Revive clients
    hasStripeKey: has("STRIPE_SECRET_KEY", config.STRIPE_SECRET_KEY),
    hasWebhookSecret: has("STRIPE_WEBHOOK_SECRET", config.STRIPE_WEBHOOK_SECRET?.[0]),
    hasDatabaseUrl: has("DATABASE_URL", config.DATABASE_URL),
    hasSmtpUrl: has("SMTP_URL", config.SMTP_URL),
  };
}

export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const headers = { "Cache-Control": "no-store" };
  const base = { timestamp: new Date().toISOString(), env: envFlags() };
  // The outage answer first, touching nothing that needs the database (neither a key nor a count).
  const db = await pingDatabase();
  if (db.status !== "connected") return json({ ...base, db }, { status: 503, headers });
  // Revive: every other answer carries the rate limit, counted for the caller or its address.
  const caller = await authenticate(request).catch(() => null);
  await countRequest(request, caller ? subjectOf(caller) : `ip:${clientAddress(request)}`, "revive");
  try {
    const stats = caller ? await paymentCounts(caller.workspaceId) : undefined;
    return json({ ...base, db, ...(stats ? { stats } : {}) }, { headers });
  } catch {
    return json({ ...base, db: { ...db, status: "error" } }, { status: 503, headers });
  }
});
