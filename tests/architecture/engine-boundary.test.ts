import { describe, expect, it } from "vitest";
import { scanOutsideEngine, scanSource } from "./engine-boundary";

const describeOffence = (o: { file: string; line: number; what: string; code: string }) => `${o.file}:${o.line} ${o.what}: ${o.code}`;

describe("the engine's boundary (docs/decisions/0039-the-engine-boundary.md)", () => {
  const offences = scanOutsideEngine(process.cwd());

  it("nothing outside app/domain/recovery/ writes a recovery table or takes the engine's locks", () => {
    expect(offences.map(describeOffence), "ask the engine through a command (app/domain/recovery/) instead").toEqual([]);
  });

  it("the scanner finds each kind of offence, with its line", () => {
    const snippet = [
      "const ok = 1;",
      "// tx.recovery.update({}) in a comment is prose, not a write",
      "await tx.recovery",
      "  .update({ where: { id }, data: { paused: true } });",
      "await db().subscriptionAtRisk.deleteMany({ where: {} });",
      'await tx.$executeRawUnsafe(`UPDATE "RetryAttempt" SET "status" = \'error\'`);',
      'await tx.$executeRaw`delete from "Customer" where id = ${id}`;',
      "await tx.$executeRaw`SELECT pg_advisory_xact_lock(1)`;",
      "await lockInvoice(tx, workspaceId, invoiceId);",
      "await stripe().customers.update(id, {});",
      "await tx.dunningMessage.update({ where: { id }, data: {} });",
      'await tx.$executeRawUnsafe(`UPDATE "StripeEvent" SET payload = null`);',
    ].join("\n");
    expect(scanSource("app/domain/elsewhere.server.ts", snippet).map((o) => [o.line, o.what])).toEqual([
      [3, "writes a recovery table through Prisma"],
      [5, "writes a recovery table through Prisma"],
      [6, "writes a recovery table in raw SQL"],
      [7, "writes a recovery table in raw SQL"],
      [8, "takes a Postgres advisory lock"],
      [9, "takes the engine's invoice lock"],
    ]);
  });
});
