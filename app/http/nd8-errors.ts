// ND8's error body (seed 003, `Error`): `{detail}` as application/json on ND8's paths under /api
// (Django REST framework's shape). A field error names the field in the sentence.
import type { ErrorCode } from "~/domain/errors";

/** ND8's operations: checkout, transactions, refunds, organization, payment links (with or without the trailing slash). */
const ND8 = /^\/api\/(checkout|transactions|refunds|organization|payment-links)(\/|$)/;

export function speaksNd8(pathname: string): boolean {
  return ND8.test(pathname);
}

export function errorBody(code: ErrorCode, message: string, facts?: Record<string, unknown>) {
  const first = (facts?.errors as Array<{ path?: unknown; message?: unknown }> | undefined)?.[0];
  const field = typeof first?.path === "string" ? first.path.replace(/^(query|body|params)\./, "") : null;
  return { detail: field && !message.includes(field) ? `${field}: ${message}` : message, code };
}
