import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const BUILT = path.resolve("build/server/index.js");

/** Test files sit beside the code but are never bundled: editing one needs no build. */
const TEST_FILE = /\.test\.tsx?$/;

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return TEST_FILE.test(target) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/**
 * What the server bundle is built from: app/, and what it bundles from outside app/ (jobs/queues.ts,
 * the Prisma client generated from the schema), and the build's configuration.
 */
const SOURCES = ["app", "jobs", "public", "prisma/schema.prisma", "vite.config.ts"];

/**
 * `remix vite:build`, unless build/ is newer than every source it is built from. Shared by
 * `npm start`, the benchmark and the browser tests, so none of them runs stale code.
 */
export function buildIfStale(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
  const sources = Math.max(...SOURCES.map((source) => newestMtime(path.resolve(source))));
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sources) return;
  log("Building the web app (no build yet, or its sources changed)…");
  execFileSync(process.execPath, [path.resolve("node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production" },
  });
}
