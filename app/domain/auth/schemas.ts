import { z } from "zod";
import { API_KEY_SCOPES, MAX_ROTATION_GRACE_HOURS, ROTATION_GRACE_HOURS } from "./api-keys.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

const ScopeSchema = z
  .string()
  .regex(new RegExp(`^(${API_KEY_SCOPES.join("|")})(:[a-z_]+)?$`), `a scope: ${API_KEY_SCOPES.join(", ")}, or a resource form such as read:payments`)
  .describe("`read`, `write`, `admin`, `analytics`, `webhooks`, `email`, or a resource form such as `read:payments`.");

/** An API key as the API shows it: never the key itself (except `key` on create and rotate). */
export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("The key's first characters, to recognise it."),
    scopes: z.array(z.string()),
    livemode: z.boolean().describe("`rk_live_` (true) or `rk_test_` (false)."),
    status: z.enum(["active", "expiring", "expired", "revoked"]).describe("`expiring`: rotated, valid until `expires_at`."),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime().nullable(),
    expires_at: z.iso.datetime().nullable(),
    revoked_at: z.iso.datetime().nullable(),
    created_by: z.object({ type: z.enum(["user", "api_key", "cli"]), id: z.string().nullable() }),
    rotated_from_id: z.string().nullable().describe("The key this one replaced."),
  })
  .register(API_SCHEMA_NAMES, { id: "ApiKey" });

export const ApiKeyWithSecretSchema = ApiKeySchema.extend({
  key: z.string().describe("The raw key: shown this once, store it now."),
}).register(API_SCHEMA_NAMES, { id: "ApiKeyWithSecret" });

export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1).max(50),
  livemode: z.boolean().default(true).describe("false issues an `rk_test_` key."),
});

export const RotateApiKeySchema = z.object({
  grace_period_hours: z
    .number()
    .min(0)
    .max(MAX_ROTATION_GRACE_HOURS)
    .default(ROTATION_GRACE_HOURS)
    .describe(`How long the old key keeps working (default ${ROTATION_GRACE_HOURS}; 0 stops it now).`),
});
