import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "./db.server";
import { preparedStatementOptions, statementName } from "./prepared-statements.server";

describe("statements prepared once per connection", () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1, ...preparedStatementOptions(process.env.DATABASE_URL!) });
  });
  afterAll(async () => {
    await pool.end();
  });

  it("parses a text once on a connection and answers each call with its own values", async () => {
    const text = "SELECT $1::int * 2 AS doubled";
    const client = await pool.connect();
    try {
      expect((await client.query({ text, values: [2] })).rows).toEqual([{ doubled: 4 }]);
      expect((await client.query({ text, values: [21] })).rows).toEqual([{ doubled: 42 }]);
      const prepared = await client.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements");
      expect(prepared.rows.filter((row) => row.statement === text)).toEqual([{ name: statementName(text), statement: text }]);
      // Plans stay per call: only the parse is shared.
      expect((await client.query<{ plan_cache_mode: string }>("SHOW plan_cache_mode")).rows[0]!.plan_cache_mode).toBe("force_custom_plan");
    } finally {
      client.release();
    }
  });

  it("names each text by its hash, and none behind a transaction-mode pooler", () => {
    expect(statementName("SELECT 1")).toBe(statementName("SELECT 1"));
    expect(statementName("SELECT 1")).not.toBe(statementName("SELECT 2"));
    expect(preparedStatementOptions("postgresql://u:p@db:6432/recoup?pgbouncer=true")).toEqual({});
  });

  it("is how the app's Prisma client talks to PostgreSQL", async () => {
    await db().workspace.findMany({ take: 1 });
    await db().workspace.findMany({ take: 1 });
    const prepared = await db().$queryRaw<Array<{ name: string }>>`SELECT name FROM pg_prepared_statements WHERE name LIKE 'recoup\_%'`;
    expect(prepared.length).toBeGreaterThan(0);
  });
});
