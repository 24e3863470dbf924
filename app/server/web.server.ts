import type { Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { STRIPE_WEBHOOK_PATH, stripeWebhookMiddleware } from "~/providers/stripe/intake-http.server";
import { bodyLimitMiddleware, csrfMiddleware, errorMiddleware, remixMiddleware, requestTargetMiddleware, securityHeadersMiddleware } from "./front.server";

/**
 * The HTTP front (./front.server.ts: security headers, request target, CSRF, body limits, error
 * shapes), static assets and the Remix handler. Bodies are not parsed here; routes read them
 * (webhooks need the raw bytes).
 */
export async function startWeb(opts: { port: number; host?: string; dev?: boolean }): Promise<{ server: Server; close(): Promise<void> }> {
  const app = express();
  app.disable("x-powered-by");
  const dev = Boolean(opts.dev);
  app.use(securityHeadersMiddleware({ dev }));
  app.use(requestTargetMiddleware());
  let build: ServerBuild | (() => Promise<ServerBuild>);

  if (opts.dev) {
    const vite = await import("vite");
    const devServer = await vite.createServer({ server: { middlewareMode: true } });
    app.use(devServer.middlewares);
    build = () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  } else {
    const buildDir = path.resolve("build");
    app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h" }));
    build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
  }

  app.use(csrfMiddleware());
  app.use(bodyLimitMiddleware());
  // Stripe's deliveries skip Remix's Request/Response round trip (ADR 0054); the route stays for GET's 405 and callers of its module.
  app.post(STRIPE_WEBHOOK_PATH, stripeWebhookMiddleware());
  app.all("*", remixMiddleware({ build, dev }));
  app.use(errorMiddleware());

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      }),
  };
}
