import { createHmac, randomBytes } from "node:crypto";
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

/**
 * The same events, cheaply: one body is built and its ids are swapped per call, and the signature is
 * one HMAC (what `Stripe-Signature` is), so that the load generator does not take the CPU the app
 * would use. Ids are unique within the process (a random prefix and a counter), of a real id's length.
 */
export function signedEvents(secret: string): () => Signed {
  const [eventMark, invoiceMark] = ["evt_MARKMARKMARKMARKMARKMARK", "in_MARKMARKMARKMARKMARKMARK"];
  const template = makeEvent("invoice.payment_failed", makeInvoice({ id: invoiceMark, customer: "cus_bench" }), { id: eventMark });
  const raw = JSON.stringify(template);
  const prefix = randomBytes(4).toString("hex");
  let n = 0;
  return () => {
    const unique = `${prefix}${(n++).toString(36).padStart(12, "0")}`.padEnd(eventMark.length - 4, "0");
    const id = `evt_${unique}`;
    const rawBody = raw.replaceAll(eventMark, id).replaceAll(invoiceMark, `in_${unique.slice(1)}`);
    const t = Math.floor(Date.now() / 1000);
    return { id, rawBody, signature: `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex")}` };
  };
}
