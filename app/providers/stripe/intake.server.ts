import { z } from "zod";
import { AppError } from "~/domain/errors";
import { SignatureError, verifyStripeSignature } from "~/integrations/stripe/client.server";
import type { Prisma } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { describeUnstorable, findUnstorable } from "~/utils/storable-text";
import { storeStripeEvent } from "./intake-batch.server";

/** Stripe events are at most a few hundred KB; anything larger is not one. */
export const MAX_EVENT_BYTES = 512 * 1024;

const isObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

const EventEnvelopeSchema = z.object({
  id: z.string().regex(/^evt_\w+$/, "must be a Stripe event id (evt_…)"),
  object: z.literal("event"),
  type: z.string().min(1),
  created: z.number().int().positive(),
  livemode: z.boolean(),
  account: z.string().optional().nullable(),
  api_version: z.string().optional().nullable(),
  // The object's own fields are the job's to read: only its being an object is checked here.
  data: z.object({ object: z.custom<Record<string, unknown>>(isObject, "Invalid input: expected an object") }),
});

/**
 * Verify, then into the inbox (unique event id; row and job in one transaction, so that an
 * acknowledged event always has both, and a redelivery changes nothing). The write is shared with
 * the events that arrive meanwhile (./intake-batch.server.ts, ADR 0054).
 */
export async function receiveStripeEvent(input: { rawBody: string; signature: string | null }) {
  if (!input.signature) throw new AppError("invalid_signature", "The Stripe-Signature header is missing.");
  let body: unknown;
  try {
    body = verifyStripeSignature(input.rawBody, input.signature, env().STRIPE_WEBHOOK_SECRET);
  } catch (error) {
    if (error instanceof SignatureError || (error as Error).name === "StripeSignatureVerificationError") {
      throw new AppError("invalid_signature", "The Stripe-Signature header does not match this payload (or is older than 5 minutes).");
    }
    if (error instanceof SyntaxError) throw new AppError("malformed_event", "The body is not valid JSON.");
    throw error;
  }
  // Signed is not storable: PostgreSQL refuses NUL and lone surrogates anywhere in the row.
  const unstorable = findUnstorable(body);
  if (unstorable) throw new AppError("malformed_event", `Not a storable Stripe event: ${describeUnstorable(unstorable).detail} (at ${unstorable.path}).`);
  const parsed = EventEnvelopeSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("malformed_event", `Not a Stripe event: ${issue.path.join(".") || "(body)"} ${issue.message}.`);
  }
  const event = parsed.data;

  const { duplicate } = await storeStripeEvent(
    {
      id: event.id,
      type: event.type,
      account: event.account ?? null,
      livemode: event.livemode,
      createdAt: new Date(event.created * 1000),
      payload: body as Prisma.InputJsonObject,
    },
    input.rawBody.length,
  );
  return { eventId: event.id, duplicate };
}
