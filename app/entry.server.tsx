import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import type { HandleErrorFunction } from "@remix-run/node";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/components/nonce";
import { surfaceOf } from "~/server/security-headers.server";
import "~/wiring.server";
import { shopify, shopifyConfigured } from "~/shopify.server";
import { log } from "~/utils/logger.server";
import { noteOutage, statusForOutage } from "~/http/outage.server";

const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The front (app/server/front.server.ts) puts this request's nonce in its CSP header.
  const nonce = (loadContext as { cspNonce?: string }).cspNonce ?? "";
  // Shopify's frame-ancestors for the embedded app's documents (the front keeps them in its CSP).
  if (shopifyConfigured() && surfaceOf(new URL(request.url).pathname) === "embedded") shopify().addDocumentResponseHeaders(request, responseHeaders);
  responseStatusCode = statusForOutage(request, responseStatusCode, responseHeaders);
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html");
          // Rendered here, so its inline scripts carry the nonce (the front hashes those of other pages).
          responseHeaders.set("X-Recoup-Rendered", "1");
          resolve(
            new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/** A 404 or another refusal is an answer, not an error: only 5xx and unexpected throws are logged. */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (noteOutage(error, request)) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  // Remix's note on a legacy ?_data= request: anyone can send one, it is no fault of ours.
  if (error instanceof Error && error.message.startsWith("Warning: Single fetch-enabled apps should not be making ?_data requests")) return;
  log.error("unhandled error", { method: request.method, path: new URL(request.url).pathname, error });
};
