import type { AddressInfo } from "node:net";
import { buildIfStale } from "~/utils/build.server";
import { env, resetEnv } from "~/utils/env.server";

/**
 * The built app served in-process by the same `startWeb` as `npm start`, on a free port of
 * 127.0.0.1; APP_URL then names it. Set the environment the server should see before calling.
 */
export async function startBuiltWeb(): Promise<{ base: string; close: () => Promise<void> }> {
  buildIfStale();
  // The built server has its own copy of every module: hand it this process's generated
  // secrets, so that tokens signed here verify there.
  resetEnv();
  const secrets = env();
  process.env.SESSION_SECRET = secrets.SESSION_SECRET;
  process.env.ENCRYPTION_KEY = secrets.ENCRYPTION_KEY;
  const { startWeb } = await import("~/server/web.server");
  const web = await startWeb({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
  process.env.APP_URL = base;
  resetEnv();
  return { base, close: web.close };
}
