/**
 * The domain's errors: a stable code, a message for people, optional facts. Nothing here knows
 * HTTP; `app/http/errors.ts` maps each code to a status, and every contract shapes the body its way.
 */
export const ERROR_CODES = [
  "validation_failed",
  "invalid_json",
  "invalid_cursor",
  "unsupported_version",
  "invalid_state",
  "unknown_placeholder",
  "recovery_closed",
  "recovery_erased",
  "malformed_event",
  "oauth_failed",
  "unauthorized",
  "invalid_signature",
  "forbidden",
  "insufficient_scope",
  "not_found",
  "recovery_not_found",
  "api_key_not_found",
  "token_not_found",
  "customer_not_found",
  "template_not_found",
  "method_not_allowed",
  "conflict",
  "account_already_connected",
  "idempotency_key_reused",
  "idempotency_key_in_use",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "internal_error",
  "upstream_error",
  "not_configured",
  "service_unavailable",
  "webhook_endpoint_not_found",
  "webhook_delivery_not_found",
  "decline_code_not_found",
  "subscription_not_found",
  "invoice_not_found",
  "payment_not_found",
  "campaign_not_found",
  "campaign_state_conflict",
  "suppression_not_found",
  "experiment_not_found",
  "experiment_state_conflict",
  "ab_test_not_found",
  "ab_test_conflict",
  "payment_request_not_found",
  "alert_rule_not_found",
  "payment_request_state_conflict",
  "provider_connection_invalid",
  "provider_unavailable",
  "override_rate_limited",
  "connection_not_found",
  "transaction_not_found",
  "refund_not_found",
  "unprocessable_entity",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Thrown by domain code; each surface turns it into its contract's error body. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly meta?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}
