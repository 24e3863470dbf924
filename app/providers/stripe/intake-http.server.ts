// POST /api/webhooks/stripe served by the HTTP front itself (ADR 0054): the same body limit, the
// same receiveStripeEvent and the same answers as the Remix route (app/routes/api.webhooks.stripe.ts),
// without building a fetch Request and Response around each of Stripe's deliveries.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { AppError } from "~/domain/errors";
import { toProblem, traceIdFrom } from "~/http/problem.server";
import { MAX_EVENT_BYTES, receiveStripeEvent } from "./intake.server";

export const STRIPE_WEBHOOK_PATH = "/api/webhooks/stripe";

/** Mounted for POST on STRIPE_WEBHOOK_PATH, behind the front's headers, request-target and body-limit checks. */
export function stripeWebhookMiddleware() {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    answer(req, res).catch(next);
  };
}

async function answer(req: ExpressRequest, res: ServerResponse) {
  const traceId = traceIdFrom(req.get("traceparent"));
  let status = 200;
  let body: string;
  let headers: Array<[string, string]> = [["Content-Type", "application/json; charset=utf-8"]];
  try {
    const rawBody = await readBody(req, MAX_EVENT_BYTES);
    const signature = req.headers["stripe-signature"];
    const result = await receiveStripeEvent({ rawBody, signature: typeof signature === "string" ? signature : null });
    body = JSON.stringify({ received: true, ...result });
  } catch (error) {
    // The route's own mapping (problem+json, 503 when the database is away, an opaque logged 500).
    const request = new Request(`http://front.invalid${req.originalUrl}`, { method: "POST" });
    const response = toProblem(error, request, traceId);
    status = response.status;
    headers = [...response.headers];
    body = await response.text();
  }
  res.statusCode = status;
  for (const [name, value] of headers) res.setHeader(name, value);
  res.setHeader("X-Trace-Id", traceId);
  res.end(body);
}

/** The raw body, refusing more than `maxBytes` with 413 (the front drains the rest after the answer). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) return stop(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => stop(null);
    const onClose = () => stop(new AppError("validation_failed", "The request body was cut off."));
    const stop = (error: unknown) => {
      req.off("data", onData).off("end", onEnd).off("error", stop).off("close", onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size).toString("utf8"));
    };
    req.on("data", onData).on("end", onEnd).on("error", stop).on("close", onClose);
  });
}
