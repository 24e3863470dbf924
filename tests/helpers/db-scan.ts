import pg from "pg";

/** Every text-like column of every table (ours and pg-boss's) whose value contains `needle`: proof of erasure. */
export async function findEverywhere(needle: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const columns = await client.query<{ table_schema: string; table_name: string; column_name: string }>(
      `SELECT table_schema, table_name, column_name FROM information_schema.columns
       WHERE table_schema IN ('public', 'pgboss') AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`,
    );
    const hits: string[] = [];
    for (const c of columns.rows) {
      const res = await client.query(`SELECT count(*)::int AS n FROM "${c.table_schema}"."${c.table_name}" WHERE "${c.column_name}"::text LIKE $1`, [`%${needle}%`]);
      if (res.rows[0].n > 0) hits.push(`${c.table_schema}.${c.table_name}.${c.column_name}`);
    }
    return hits;
  } finally {
    await client.end();
  }
}
