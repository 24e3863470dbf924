import pg from "pg";
import { startLocalPostgres, withDatabase } from "../app/utils/local-postgres.server";
const c = await startLocalPostgres("bench-pg");
const client = new pg.Client({ connectionString: withDatabase(c.adminUrl, "recoup_bench_drain") });
await client.connect();
const q = async (s: string) => console.table((await client.query(s)).rows);
await q(`WITH b AS (SELECT min("receivedAt") t0 FROM "StripeEvent")
SELECT floor(extract(epoch from m."createdAt" - b.t0)/10)*10 AS sec, count(*) created,
 round(avg(extract(epoch from m."sentAt" - m."createdAt"))::numeric,1) AS avg_wait_s,
 round(max(extract(epoch from m."sentAt" - m."createdAt"))::numeric,1) AS max_wait_s
FROM "DunningMessage" m, b GROUP BY 1 ORDER BY 1`);
await q(`SELECT kind, status, count(*), min("scheduledFor" - "createdAt"), max("scheduledFor" - "createdAt") FROM "DunningMessage" GROUP BY 1,2`);
await client.end(); await c.stop();
