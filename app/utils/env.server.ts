import ipaddr from "ipaddr.js";
import { z } from "zod";
import { devSecret } from "./dev-secrets.server";

const csv = z
  .string()
  .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean));

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  APP_URL: z.string().url().optional(),
  STRIPE_SECRET_KEY: z.string().startsWith("sk_").optional(),
  STRIPE_CLIENT_ID: z.string().startsWith("ca_").optional(),
  STRIPE_WEBHOOK_SECRET: csv.pipe(z.array(z.string().min(1)).min(1)),
  STRIPE_API_BASE: z.string().url().optional(),
  STRIPE_CONNECT_AUTHORIZE_URL: z.string().url().default("https://connect.stripe.com/oauth/authorize"),
  /** The Stripe App's signing secret (Dashboard views → /api/stripe-app/*); unset: those endpoints answer 503. */
  STRIPE_APP_SECRET: z.string().min(1).optional(),
  SMTP_URL: z.string().url().optional(),
  /** Twilio, for alert rules' SMS channel (ADR 0077): unset, SMS alerts are recorded as failed, with the reason. */
  TWILIO_ACCOUNT_SID: z.string().min(1).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  /** The sender, E.164; or TWILIO_MESSAGING_SERVICE_SID instead. */
  TWILIO_FROM_NUMBER: z.string().min(1).optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().min(1).optional(),
  TWILIO_API_URL: z.string().url().default("https://api.twilio.com"),
  MAIL_FROM: z.string().min(3).default("Recoup <billing@recoup.local>"),
  ENCRYPTION_KEY: z
    .string()
    .refine((k) => Buffer.from(k, "base64").length === 32, "must be 32 bytes, base64-encoded"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters"),
  SEED_DEMO: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  GIT_COMMIT: z.string().default("unknown"),
  BUILD_TIME: z.string().optional(),
  /**
   * Addresses or CIDR ranges outbound webhooks may reach although they are not public (e.g.
   * `127.0.0.1/32`): for the test suite and local development only, never in production (ADR 0031).
   */
  OUTBOUND_WEBHOOK_ALLOW_PRIVATE: csv
    .pipe(z.array(z.string().refine((s) => (s.includes("/") ? ipaddr.isValidCIDR(s) : ipaddr.isValid(s)), "must be IP addresses or CIDR ranges, comma-separated")))
    .default([]),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
});

export type Env = z.infer<typeof EnvSchema> & { APP_URL: string };

const GENERATED: Record<string, () => string> = {
  ENCRYPTION_KEY: () => devSecret("ENCRYPTION_KEY", () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")),
  SESSION_SECRET: () => devSecret("SESSION_SECRET"),
  STRIPE_WEBHOOK_SECRET: () => devSecret("STRIPE_WEBHOOK_SECRET", () => `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`),
};

export class EnvError extends Error {}

/**
 * The public base URL every link is built from (sign-in links, the demo link, emails, OAuth
 * redirects): APP_URL, else http://localhost:$PORT. Needs neither a database nor secrets.
 */
export function appUrlFrom(source: Record<string, string | undefined> = process.env): string {
  const port = source.PORT || "3000";
  return (source.APP_URL || `http://localhost:${port}`).replace(/\/$/, "");
}

/** Parses the environment once. In development missing secrets are generated and kept in .data/secrets. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const input: Record<string, string | undefined> = { ...source };
  const production = input.NODE_ENV === "production";
  for (const key of Object.keys(input)) if (input[key] === "") input[key] = undefined;
  if (!production) {
    for (const [key, make] of Object.entries(GENERATED)) input[key] ??= make();
  }
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(
      `Recoup cannot start: the configuration is invalid.\n${lines.join("\n")}\n` +
        (production ? "In production every secret must be set (see .env.example).\n" : ""),
    );
  }
  const env = parsed.data;
  return { ...env, APP_URL: appUrlFrom({ APP_URL: env.APP_URL, PORT: String(env.PORT) }) };
}

let cached: Env | undefined;
export function env(): Env {
  if (!cached || cached.DATABASE_URL !== process.env.DATABASE_URL) cached = parseEnv();
  return cached;
}

/** Tests change the environment between cases. */
export function resetEnv() {
  cached = undefined;
}
