// Dojo's webhook signatures, pure (no I/O): what Recoup's Dojo endpoint checks, and what the fake Dojo
// (tests/fakes/dojo-server.ts) signs with.
//
// The scheme, as Dojo documents it (docs.dojo.tech, Development resources › Webhooks, "Step 3. Verify Dojo
// webhooks") and as its own SDK checks it (github.com/dojo-engineering/Dojo.Net,
// src/Dojo.Net/Webhooks/WebhookPayloadUtils.cs, and its WebhookPayloadUtilsTests.cs):
//   dojo-signature: sha256=<HMAC-SHA256 of the raw request body, keyed with the subscription secret's
//                   `value` as UTF-8 bytes>
// where the digest is written the way .NET's BitConverter.ToString writes bytes: upper-case hex pairs
// joined by "-" ("sha256=94-AC-93-…-F4", 32 pairs). The docs' worked example (body evt_hnnHxIKR…, secret
// ws_OYsyzcrH70GpJfs8MMkKpg → 94-AC-93-67-…) is checked in collect.server.test.ts.
//
// The scheme signs no timestamp of its own. The body's `createdAt` (when Dojo created the event) is
// covered by the signature, so a caller that wants a replay window passes `toleranceSeconds` and events
// created longer ago than that are refused. It is off by default: the docs say nothing of when Dojo retries a
// failed delivery (a retry keeps the event's createdAt, so a tight window would drop real events), and a
// replayed status hint is harmless here because Recoup re-reads the payment intent before acting
// (CollectProcessor.getPayment: "a webhook is a hint; this is the truth").
import { createHmac, timingSafeEqual } from "node:crypto";

/** The header Dojo puts the signature in (HTTP header names are case-insensitive; Dojo's SDK writes `Dojo-Signature`). */
export const DOJO_SIGNATURE_HEADER = "dojo-signature";

export type DojoSignatureFailure = "missing_header" | "bad_signature" | "too_old" | "malformed";

export class DojoSignatureError extends Error {
  constructor(
    message: string,
    readonly reason: DojoSignatureFailure,
  ) {
    super(message);
    this.name = "DojoSignatureError";
  }
}

/**
 * A verified Dojo event. Dojo's envelope is `{ id, event, accountId, createdAt, data: { paymentIntentId,
 * paymentStatus, captureMode } }` (payment intent events: payment_intent.created, payment_intent.status_updated,
 * payment_intent.send-receipt); `type` is its `event`.
 */
export interface DojoWebhookEvent {
  id: string;
  type: string;
  createdAt: Date;
  accountId: string | null;
  paymentIntentId: string | null;
  /** `data.paymentStatus`: Created, Authorized, Captured, Reversed, Refunded, Canceled. */
  status?: string | null;
  raw: Record<string, unknown>;
}

type Body = string | Uint8Array;

function digest(rawBody: Body, secret: string): Buffer {
  return createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody)
    .digest();
}

/** The `dojo-signature` header value Dojo sends for this body: `sha256=AB-CD-…`. */
export function signDojoWebhook(rawBody: Body, secret: string): string {
  const hex = digest(rawBody, secret).toString("hex").toUpperCase();
  return `sha256=${hex.match(/../g)!.join("-")}`;
}

/**
 * The signatures a header carries, as bytes. Dojo sends one `sha256=` value; several (comma-separated) are
 * accepted so a future multi-secret header verifies too. Dashes and case are ignored: the bytes are what count.
 */
function signaturesIn(header: string): Buffer[] {
  const found: Buffer[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== "sha256") continue;
    const hex = part.slice(eq + 1).trim().replace(/-/g, "");
    if (/^[0-9a-fA-F]{64}$/.test(hex)) found.push(Buffer.from(hex, "hex"));
  }
  return found;
}

export function verifyDojoWebhook(input: {
  rawBody: Body;
  headers: Headers;
  /** The subscription secret's value; several while rotating (Dojo lets a subscription hold more than one). */
  secret: string | readonly string[];
  /** Refuse events whose signed `createdAt` is further than this from now. Off when omitted (see the header comment). */
  toleranceSeconds?: number;
  /** The clock, for tests. */
  now?: Date;
}): DojoWebhookEvent {
  const header = input.headers.get(DOJO_SIGNATURE_HEADER);
  if (!header) throw new DojoSignatureError(`The ${DOJO_SIGNATURE_HEADER} header is missing.`, "missing_header");
  const secrets = (typeof input.secret === "string" ? [input.secret] : [...input.secret]).filter((s) => s.length > 0);
  // An empty key would make any forger's HMAC "valid": refuse rather than verify against it.
  if (secrets.length === 0) throw new DojoSignatureError("No webhook secret to verify with.", "bad_signature");

  const received = signaturesIn(header);
  const matched = secrets.some((secret) => {
    const expected = digest(input.rawBody, secret);
    return received.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
  });
  if (!matched) throw new DojoSignatureError("The Dojo webhook signature does not match its body.", "bad_signature");

  let raw: unknown;
  try {
    raw = JSON.parse(typeof input.rawBody === "string" ? input.rawBody : Buffer.from(input.rawBody).toString("utf8"));
  } catch {
    throw new DojoSignatureError("The Dojo webhook body is not JSON.", "malformed");
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new DojoSignatureError("The Dojo webhook body is not an object.", "malformed");
  const body = raw as Record<string, unknown>;
  const createdAt = typeof body.createdAt === "string" ? new Date(body.createdAt) : null;
  if (typeof body.id !== "string" || typeof body.event !== "string" || !createdAt || Number.isNaN(createdAt.getTime())) {
    throw new DojoSignatureError("The Dojo webhook body lacks id, event or createdAt.", "malformed");
  }

  if (input.toleranceSeconds !== undefined) {
    const ageMs = (input.now ?? new Date()).getTime() - createdAt.getTime();
    if (Math.abs(ageMs) > input.toleranceSeconds * 1000) {
      throw new DojoSignatureError(`The Dojo webhook was created ${Math.round(ageMs / 1000)} s from now, outside the ${input.toleranceSeconds} s tolerance.`, "too_old");
    }
  }

  const data = body.data && typeof body.data === "object" ? (body.data as Record<string, unknown>) : {};
  return {
    id: body.id,
    type: body.event,
    createdAt,
    accountId: typeof body.accountId === "string" ? body.accountId : null,
    paymentIntentId: typeof data.paymentIntentId === "string" ? data.paymentIntentId : null,
    status: typeof data.paymentStatus === "string" ? data.paymentStatus : null,
    raw: body,
  };
}
