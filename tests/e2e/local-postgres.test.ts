import { lstatSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { SYSTEM_DIR, startLocalPostgres, type LocalPostgres } from "../../app/utils/local-postgres.server";

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("the embedded PostgreSQL of a project in a folder other users cannot enter (a clone under /root, any 0700 folder)", () => {
  // mkdtemp makes a 0700 folder: as root, the postgres user PostgreSQL runs as cannot traverse it.
  const closed = mkdtempSync(path.join(os.tmpdir(), "recoup-0700-"));
  const projectData = path.join(closed, "recoup", ".data");
  let server: LocalPostgres | undefined;
  afterAll(async () => {
    await server?.stop();
    if (server && server.dataDir.startsWith(`${SYSTEM_DIR}/`)) rmSync(path.dirname(server.dataDir), { recursive: true, force: true });
    rmSync(closed, { recursive: true, force: true });
  });

  it("starts, serves queries, keeps its data across a restart, durably (fsync on), and .data/pg shows where it lives", async () => {
    expect(statSync(closed).mode & 0o777).toBe(0o700);
    server = await startLocalPostgres("pg", { projectDataDir: projectData });
    expect(await query(server.adminUrl, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    // npm start's database holds users' data: PostgreSQL's durable defaults.
    expect(await query(server.adminUrl, "SHOW fsync")).toEqual([{ fsync: "on" }]);
    expect(await query(server.adminUrl, "SHOW synchronous_commit")).toEqual([{ synchronous_commit: "on" }]);
    expect(await query(server.adminUrl, "SHOW full_page_writes")).toEqual([{ full_page_writes: "on" }]);
    await query(server.adminUrl, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");

    const local = path.join(projectData, "pg");
    if (process.getuid?.() === 0) {
      // Moved where the postgres user can reach it, keyed by the project's path; the symlink says where.
      expect(server.dataDir.startsWith(`${SYSTEM_DIR}/clusters/`)).toBe(true);
      expect(lstatSync(local).isSymbolicLink()).toBe(true);
      expect(readlinkSync(local)).toBe(server.dataDir);
    } else {
      expect(server.dataDir).toBe(local);
    }

    await server.stop();
    server = await startLocalPostgres("pg", { projectDataDir: projectData });
    expect(await query(server.adminUrl, "SELECT note FROM kept")).toEqual([{ note: "still here" }]);
  }, 120_000);
});

describe("the test runs' PostgreSQL", () => {
  it("is a throw-away cluster that trades durability for speed (fsync off)", async () => {
    expect(await query(inject("pgAdminUrl"), "SHOW fsync")).toEqual([{ fsync: "off" }]);
  });
});
