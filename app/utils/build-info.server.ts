import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";

let cached: { version: string; gitCommit: string; buildTime: string } | undefined;

export function buildInfo() {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  let gitCommit = process.env.GIT_COMMIT ?? "";
  if (!gitCommit) {
    try {
      gitCommit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    } catch {
      gitCommit = "unknown";
    }
  }
  let buildTime = process.env.BUILD_TIME ?? "";
  if (!buildTime) {
    try {
      buildTime = statSync("build/server/index.js").mtime.toISOString();
    } catch {
      buildTime = new Date(0).toISOString();
    }
  }
  cached = { version: pkg.version, gitCommit, buildTime };
  return cached;
}
