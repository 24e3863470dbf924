import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("a process that used the embedded PostgreSQL", () => {
  it("keeps its exit code (a failing test run must not exit 0)", () => {
    const script = `
      import { startLocalPostgres } from "./app/utils/local-postgres.server.ts";
      const pg = await startLocalPostgres("exit-code-check");
      await pg.stop();
      process.exitCode = 3;
    `;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(3);
  }, 150_000);
});
