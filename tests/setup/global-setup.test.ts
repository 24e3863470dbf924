import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("a test run whose database cannot be prepared", () => {
  it("says why, instead of exiting 1 with nothing or 'No test files found' alone", () => {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
    // Port 1: nothing listens there, so the global setup fails at once.
    env.DATABASE_URL = "postgresql://nobody:nothing@127.0.0.1:1/postgres";
    const run = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "tests/install/npm-install.test.ts"], {
      encoding: "utf8",
      env,
      timeout: 90_000,
    });
    expect(run.status).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/The test database could not be prepared: .*ECONNREFUSED 127\.0\.0\.1:1/);
  }, 120_000);
});
