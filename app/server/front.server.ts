/**
 * The HTTP front, in front of every route: what no route should have to remember.
 *
 * 1. Security headers on every answer (./security-headers.server.ts), with a fresh CSP nonce
 *    handed to Remix's renderer through the load context.
 * 2. The request target: bad percent-encoding, NUL (%00) and dot segments are 400s.
 * 3. Cross-site request forgery: a state-changing request from a browser must come from our own
 *    origin (Origin, else Sec-Fetch-Site, else Referer), whatever its form (a document POST,
 *    Remix's `.data` and `?_data=` requests, resource routes). Requests authenticated otherwise are
 *    exempt: signed webhooks, API keys and bearer tokens, the Stripe App's signed calls, the
 *    Shopify extension's session tokens.
 * 4. Bodies: over MAX_BODY_BYTES is a 413 before any route runs; a body a route did not read (or
 *    stopped reading at its own limit) is drained after the answer, so that clients that send the
 *    whole body before reading (Node's fetch, curl, requests) read the 413 instead of a reset.
 * 5. Errors keep the shape of the surface they happen on: problem+json under /api and /webhooks
 *    (Remix's own HTML 404/405 and text 500s included), a small HTML page elsewhere.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequestHandler, writeReadableStreamToWritable, type ServerBuild } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { escapeHtml } from "~/utils/html";
import { ERROR_STATUS } from "~/http/errors";
import { problem, traceIdFrom } from "~/http/problem.server";
import { env } from "~/utils/env.server";
import { log } from "~/utils/logger.server";
import { frameAncestorsOf, inlineScriptHashes, securityHeaders, surfaceOf } from "./security-headers.server";
import { AppError, type ErrorCode } from "~/domain/errors";

/** The largest body any route accepts (the dunning editor's 1 MiB); routes have their own, smaller caps. */
const MAX_BODY_BYTES = 1024 * 1024;
/** How much of a refused body is read and thrown away before the connection is closed instead. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Authenticated by a signature, an API key or a platform token, never by our cookie. */
const CSRF_EXEMPT = ["/api/v1/", "/api/webhooks/", "/webhooks/", "/api/stripe-app/", "/api/shopify-ext/"];

interface Locals {
  cspNonce: string;
}

function locals(res: ExpressResponse): Locals {
  return res.locals as Locals;
}

const parsedUrls = new WeakMap<IncomingMessage, URL>();

/**
 * The request's path and query on a fixed origin. Joined as text, not resolved against a base: a
 * target like `//evil.example/x` is a path here, never a host. Parsed once per request: every
 * middleware (headers, CSRF, error shapes) asks for it.
 */
function requestUrl(req: IncomingMessage): URL {
  let url = parsedUrls.get(req);
  if (!url) {
    const raw = req.url ?? "/";
    try {
      url = new URL(`http://front.invalid${raw.startsWith("/") ? raw : `/${raw}`}`);
    } catch {
      url = new URL("http://front.invalid/");
    }
    parsedUrls.set(req, url);
  }
  return url;
}

// ---------------------------------------------------------------- answers from the front itself

const PAGE_TITLES: Record<number, string> = { 400: "Bad request", 403: "Refused", 404: "Not found", 405: "Not allowed", 413: "Too large", 500: "Error" };

/**
 * An error in the shape of the surface it happened on: the path as sent, not the one its dot
 * segments resolve to (`/api/v1/x/../..` was sent to the API, in LostChurn's shape).
 */
function frontError(req: IncomingMessage, code: ErrorCode, detail: string, meta?: Record<string, unknown>): Response {
  const sent = (req.url ?? "/").split("?")[0]!;
  const path = sent.startsWith("/") ? sent : `/${sent}`;
  if (surfaceOf(path) === "api") {
    return problem(code, detail, { traceId: traceIdFrom(String(req.headers.traceparent ?? "")), instance: path, meta });
  }
  const status = ERROR_STATUS[code];
  const title = PAGE_TITLES[status] ?? "Error";
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family: system-ui, sans-serif; max-width: 480px; margin: 64px auto; padding: 16px"><h1 style="font-size: 22px">${title}</h1><p>${escapeHtml(detail)}</p></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** Writes a fetch Response to Node's response; our security headers are already on `res`. */
async function send(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);
  if (req.method === "HEAD" || !response.body) {
    res.end();
    return;
  }
  await writeReadableStreamToWritable(response.body, res);
}

// ---------------------------------------------------------------- bodies

/** Reads and discards the rest of a body (up to MAX_DRAIN_BYTES, then closes the connection). */
function drain(req: IncomingMessage) {
  if (req.complete || req.destroyed || (req as { __recoupDraining?: boolean }).__recoupDraining) return;
  (req as { __recoupDraining?: boolean }).__recoupDraining = true;
  let drained = 0;
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    drained += chunk.byteLength;
    if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.on("error", () => {});
  req.resume();
}

/**
 * The request body as a web stream. Unlike Remix's adapter, cancelling it (a route stopping at
 * its limit) drains the rest instead of destroying the socket under a client still sending.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let received = 0;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          if (done) return;
          received += chunk.byteLength;
          if (received > MAX_BODY_BYTES) {
            done = true;
            controller.error(new AppError("payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`));
            drain(req);
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once("end", () => {
          if (done) return;
          done = true;
          controller.close();
        });
        req.once("error", (error) => {
          if (done) return;
          done = true;
          controller.error(error);
        });
      },
      pull() {
        if (!done) req.resume();
      },
      cancel() {
        done = true;
        drain(req);
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

// ---------------------------------------------------------------- middlewares

/** 1. A nonce and the default security headers (static files and the front's own answers keep these). */
export function securityHeadersMiddleware(opts: { dev: boolean }) {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    locals(res).cspNonce = nonce;
    for (const [name, value] of Object.entries(securityHeaders({ url: requestUrl(req), nonce, appUrl: env().APP_URL, dev: opts.dev }))) res.setHeader(name, value);
    // However the answer ends, a body nobody read is drained, not left to hang the connection.
    res.once("finish", () => drain(req));
    next();
  };
}

function pathSegmentsProblem(rawPath: string): string | null {
  for (const segment of rawPath.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return "The URL's path has invalid percent-encoding.";
    }
    if (decoded === "." || decoded === "..") return "The URL's path contains a dot segment (. or ..).";
    if (decoded.includes("\u0000")) return "The URL's path contains a NUL character (%00).";
  }
  return null;
}

/** 2. The request target: what no route can answer sensibly. */
export function requestTargetMiddleware() {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      await checkRequestTarget(req, res, next);
    } catch (error) {
      next(error);
    }
  };
}

async function checkRequestTarget(req: ExpressRequest, res: ExpressResponse, next: NextFunction) {
  const raw = req.url ?? "/";
  const queryAt = raw.indexOf("?");
  const rawPath = queryAt === -1 ? raw : raw.slice(0, queryAt);
  const pathProblem = pathSegmentsProblem(rawPath);
  if (pathProblem) return send(req, res, frontError(req, "validation_failed", pathProblem, { errors: [{ path: "path", message: pathProblem }] }));
  if (queryAt !== -1 && /%00/i.test(raw.slice(queryAt))) {
    const names = [...new URLSearchParams(raw.slice(queryAt + 1))].filter(([k, v]) => k.includes("\u0000") || v.includes("\u0000")).map(([k]) => k.replaceAll("\u0000", "\\u0000"));
    const detail = "The query contains a NUL character (%00), which Recoup does not accept in text.";
    return send(req, res, frontError(req, "validation_failed", detail, { errors: names.map((name) => ({ path: `query.${name}`, message: "Remove the NUL character (%00)." })) }));
  }
  next();
}

/** The origin a browser says a request comes from: Origin, else Referer's origin; "null" for an opaque one. */
function sourceOrigin(req: IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (origin) return origin;
  const referer = req.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}

function ownOrigins(req: IncomingMessage): Set<string> {
  const origins = new Set<string>();
  for (const configured of [env().APP_URL, process.env.SHOPIFY_APP_URL]) {
    if (!configured) continue;
    try {
      origins.add(new URL(configured).origin);
    } catch {
      // a malformed SHOPIFY_APP_URL names no origin
    }
  }
  // The host the browser addressed: same-origin however the app is deployed behind a proxy.
  const host = req.headers.host;
  if (host) for (const scheme of ["http", "https"]) origins.add(`${scheme}://${host.toLowerCase()}`);
  return origins;
}

/** Why a request must be refused as a cross-site forgery, or null. */
function forgeryOf(req: IncomingMessage): string | null {
  if (!UNSAFE_METHODS.has(req.method ?? "GET")) return null;
  const { pathname } = requestUrl(req);
  if (CSRF_EXEMPT.some((prefix) => pathname.startsWith(prefix))) return null;
  // A browser cannot attach these to a cross-site request without a CORS preflight we never grant.
  if (req.headers.authorization || req.headers["x-api-key"]) return null;
  const origin = sourceOrigin(req);
  if (origin !== null) {
    return ownOrigins(req).has(origin.toLowerCase()) ? null : `This request came from ${origin === "null" ? "an opaque origin" : origin}, not from Recoup's own pages.`;
  }
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return "This request came from another site, not from Recoup's own pages.";
  // No Origin, no Referer, no Sec-Fetch-Site: not a browser (curl, a server), so no cookie was lent.
  return null;
}

/** 3. Cross-site request forgery. */
export function csrfMiddleware() {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const forgery = forgeryOf(req);
    if (!forgery) return next();
    log.warn("cross-site request refused", { method: req.method, path: requestUrl(req).pathname, origin: req.headers.origin ?? null });
    send(req, res, frontError(req, "forbidden", `${forgery} Reload the page and try again.`)).catch(next);
  };
}

/** 4. A declared body over the largest any route takes: refused before a route runs (then drained). */
export function bodyLimitMiddleware() {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) return send(req, res, frontError(req, "payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`)).catch(next);
    next();
  };
}

const REMIX_ERRORS: Record<number, [ErrorCode, (method: string, path: string) => string]> = {
  400: ["validation_failed", () => "The request is not valid."],
  401: ["unauthorized", () => "Authentication required."],
  403: ["forbidden", () => "Forbidden."],
  404: ["not_found", (method, path) => `There is no ${method} ${path} in this API.`],
  405: ["method_not_allowed", (method, path) => `${path} does not accept ${method}.`],
  413: ["payload_too_large", () => "The body is too large."],
};

const PAGE_ERRORS: Record<number, [ErrorCode, string]> = {
  400: ["validation_failed", "The request is not valid."],
  401: ["unauthorized", "Sign in to continue."],
  403: ["forbidden", "The request was refused."],
  413: ["payload_too_large", "The body is too large."],
  404: ["not_found", "There is nothing at this address."],
  405: ["method_not_allowed", "This page does not accept that request."],
};

/**
 * Answers not in their surface's shape, re-shaped: under /api, Remix's own (X-Remix-Error: its 404s
 * and 405s as JSON, its text/plain 500s, the root's HTML 404) and a library's bodiless or text
 * refusals become problems; on pages (embedded ones too), the same become the small HTML page, keeping
 * their other headers (App Bridge reads its retry hint on a 401). A route's own JSON under
 * /api, a page's HTML and a page fetcher endpoint's JSON pass, and so do Remix's data requests
 * (`?_data=`, `.data`), whose X-Remix-Error answers its browser runtime reads.
 */
function surfaceShaped(req: IncomingMessage, response: Response): Response {
  const url = requestUrl(req);
  const surface = surfaceOf(url.pathname);
  if (response.status < 400) return response;
  const type = response.headers.get("content-type") ?? "";
  const remixOwn = response.headers.has("x-remix-error");
  if (surface === "api") {
    if (type.includes("json") && !remixOwn) return response;
    const [code, describe] = REMIX_ERRORS[response.status] ?? (["internal_error", () => "Something went wrong on our side."] as const);
    void response.body?.cancel();
    const shaped = frontError(req, code, describe(req.method ?? "GET", url.pathname));
    if (response.headers.has("allow")) shaped.headers.set("Allow", response.headers.get("allow")!);
    return shaped;
  }
  if (url.searchParams.has("_data") || url.pathname.endsWith(".data")) return response;
  if (!remixOwn && (type.startsWith("text/html") || type.includes("json") || type.startsWith("image/"))) return response;
  const [code, detail] = PAGE_ERRORS[response.status] ?? (response.status >= 500 ? (["internal_error", "Something went wrong on our side."] as const) : (["validation_failed", "The request was refused."] as const));
  void response.body?.cancel();
  const shaped = frontError(req, code, detail);
  // Its other headers (Allow, a library's retry hint) still say what the client may do next.
  for (const [name, value] of response.headers) if (name !== "content-type" && name !== "content-length" && name !== "x-remix-error") shaped.headers.set(name, value);
  return shaped;
}

/** 5. Remix, with our body stream, our nonce, and its answers shaped and given their final headers. */
export function remixMiddleware(opts: { build: ServerBuild | (() => Promise<ServerBuild>); dev: boolean }) {
  const handle = createRequestHandler(opts.build, opts.dev ? "development" : "production");
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const controller = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) controller.abort();
      });
      // Joined as text (see requestUrl): `//other.host/path` stays a path on our own origin.
      const url = new URL(`${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        // The front's CSRF check (3.) is the one: Remix's own, on document requests, throws a 500 for
        // a request the front let through from another origin (authenticated by a header, not a cookie).
        if (value === undefined || name === "origin") continue;
        for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
      }
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(url.href, {
        method: req.method,
        headers,
        signal: controller.signal,
        ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
      } as RequestInit);
      const { cspNonce } = locals(res);
      let response = surfaceShaped(req, await handle(request, { cspNonce }));
      response = await withFinalHeaders(url, response, cspNonce, opts.dev);
      await send(req, res, response);
    } catch (error) {
      next(error);
    }
  };
}

/** The response's own CSP (Shopify's frame-ancestors) merged into ours; inline scripts of pages React did not render hashed. */
async function withFinalHeaders(url: URL, response: Response, nonce: string, dev: boolean): Promise<Response> {
  const own = response.headers.get("content-security-policy");
  let scriptHashes: string[] = [];
  let body: BodyInit | null = response.body;
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("text/html") && !response.headers.has("x-recoup-rendered") && response.body) {
    // A page thrown by a library (Shopify's App Bridge bounce page): small, with inline scripts.
    const html = await response.text();
    scriptHashes = inlineScriptHashes(html, (text) => createHash("sha256").update(text).digest("base64"));
    body = html;
  }
  // A copy: a Response made by Response.redirect() or fetch() has immutable headers.
  response = new Response(body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
  response.headers.delete("x-recoup-rendered");
  const headers = securityHeaders({ url, nonce, appUrl: env().APP_URL, dev, frameAncestors: frameAncestorsOf(own), scriptHashes });
  for (const [name, value] of Object.entries(headers)) {
    // A route may tighten its referrer policy (the sign-in link says no-referrer); the rest is ours.
    if (name === "Referrer-Policy" && response.headers.has(name)) continue;
    response.headers.set(name, value);
  }
  return response;
}

/** Last: anything thrown on the way (Express's own decoding errors too) in the surface's shape, never a bare 500. */
export function errorMiddleware() {
  return (error: unknown, req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    if (res.headersSent) return next(error);
    // A Host header no URL can hold is the client's mistake, like Express's own decoding errors.
    const invalidUrl = (error as { code?: string }).code === "ERR_INVALID_URL";
    const status = invalidUrl ? 400 : ((error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode);
    let response: Response;
    if (error instanceof AppError) response = frontError(req, error.code, error.message, error.meta);
    else if (status && status >= 400 && status < 500) {
      const [code] = REMIX_ERRORS[status] ?? ["validation_failed"];
      response = frontError(req, code, status === 400 ? "The request is not valid HTTP this server can read (check the URL's encoding)." : "The request was refused.");
    } else {
      log.error("unhandled error at the front", { method: req.method, path: requestUrl(req).pathname, error });
      response = frontError(req, "internal_error", "Something went wrong on our side. Please try again.");
    }
    send(req, res, response).catch(() => res.destroy());
  };
}
