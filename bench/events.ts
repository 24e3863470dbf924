import { randomBytes } from "node:crypto";
import { makeEvent, makeInvoice, signPayload } from "../tests/fakes/stripe-server";

export interface Signed {
  id: string;
  rawBody: string;
  signature: string;
}

/** A new `invoice.payment_failed` event (unique `evt_` id) with a valid `Stripe-Signature`. */
export function signedEvent(secret: string, invoiceId = `in_${randomBytes(12).toString("hex")}`): Signed {
  const event = makeEvent("invoice.payment_failed", makeInvoice({ id: invoiceId, customer: "cus_bench" }));
  const rawBody = JSON.stringify(event);
  return { id: event.id, rawBody, signature: signPayload(rawBody, secret) };
}
