import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePort } from "../../tests/helpers/net";
import { isDatabaseUnavailable } from "./db-errors.server";
import { db } from "./db.server";


const rejection = (p: Promise<unknown>) => p.then(() => null, (error: unknown) => error);

describe("isDatabaseUnavailable", () => {
  it("is true for a session PostgreSQL terminates (a restart or failover), through pg and through Prisma", async () => {
    const victim = new pg.Client({ connectionString: process.env.DATABASE_URL });
    victim.on("error", () => {});
    await victim.connect();
    const pid = (await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const pending = rejection(victim.query("SELECT pg_sleep(10)"));
    await new Promise((r) => setTimeout(r, 200));
    await db().$queryRawUnsafe(`SELECT pg_terminate_backend(${pid})`);
    const error = await pending;
    expect((error as { code?: string }).code).toBe("57P01");
    expect(isDatabaseUnavailable(error)).toBe(true);
    await victim.end().catch(() => {});

    // Prisma's pool, pointed at a database that is not listening.
    const url = new URL(process.env.DATABASE_URL!);
    url.port = String(await freePort());
    const saved = process.env.DATABASE_URL;
    try {
      process.env.DATABASE_URL = url.toString();
      const { PrismaPg } = await import("@prisma/adapter-pg");
      const { PrismaClient } = await import("../../generated/prisma/client");
      const down = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString() }) });
      const prismaError = await rejection(down.workspace.count());
      expect(isDatabaseUnavailable(prismaError)).toBe(true);
      await down.$disconnect();
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });

  it("is false for bugs and for other servers refusing a connection (SMTP, a merchant's endpoint)", async () => {
    const port = await freePort();
    const refused = await rejection(
      new Promise((_, reject) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.on("error", reject);
      }),
    );
    expect((refused as { code?: string }).code).toBe("ECONNREFUSED");
    expect(isDatabaseUnavailable(refused)).toBe(false);
    expect(isDatabaseUnavailable(await rejection(fetch(`http://127.0.0.1:${port}/hook`)))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: "ESOCKET" }))).toBe(false);
    expect(isDatabaseUnavailable(await rejection(db().$queryRawUnsafe("SELECT * FROM no_such_table")))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is not a function"))).toBe(false);
  });
});
