import { AppError, type ErrorCode } from "~/domain/errors";

/** Each domain error code's HTTP status: the one table every route shares. */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  unsupported_version: 400,
  invalid_state: 400,
  unknown_placeholder: 400,
  recovery_closed: 400,
  recovery_erased: 409,
  malformed_event: 400,
  oauth_failed: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  insufficient_scope: 403,
  not_found: 404,
  recovery_not_found: 404,
  api_key_not_found: 404,
  token_not_found: 404,
  customer_not_found: 404,
  template_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  account_already_connected: 409,
  idempotency_key_reused: 409,
  idempotency_key_in_use: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  upstream_error: 502,
  not_configured: 503,
  service_unavailable: 503,
  webhook_endpoint_not_found: 404,
  webhook_delivery_not_found: 404,
  decline_code_not_found: 404,
  subscription_not_found: 404,
  invoice_not_found: 404,
  payment_not_found: 404,
  campaign_not_found: 404,
  campaign_state_conflict: 409,
  suppression_not_found: 404,
  experiment_not_found: 404,
  experiment_state_conflict: 409,
  ab_test_not_found: 404,
  ab_test_conflict: 409,
  payment_request_not_found: 404,
  alert_rule_not_found: 404,
  payment_request_state_conflict: 409,
  provider_connection_invalid: 422,
  provider_unavailable: 503,
  override_rate_limited: 429,
  connection_not_found: 404,
  transaction_not_found: 404,
  refund_not_found: 404,
  unprocessable_entity: 422,
} as const satisfies Record<ErrorCode, number>;

/** The HTTP status of a domain error. */
export function statusOf(error: AppError): number {
  return ERROR_STATUS[error.code];
}

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: "Invalid request",
  unauthorized: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  internal_error: "Internal error",
  service_unavailable: "Service unavailable",
};

export function titleFor(code: ErrorCode): string {
  return TITLES[code] ?? code.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}
