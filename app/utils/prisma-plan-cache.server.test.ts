import { beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { db } from "./db.server";
import { cachedPlan, cachingCompile, dataModelOf, instantiate, parameterize, planCacheStats, planDifference, type DataModel } from "./prisma-plan-cache.server";

// The generated client's data model, as Prisma hands it to the cache.
const runtimeModel = {
  models: {
    Customer: {
      fields: [
        { name: "id", kind: "scalar", type: "String" },
        { name: "workspaceId", kind: "scalar", type: "String" },
        { name: "email", kind: "scalar", type: "String" },
        { name: "createdAt", kind: "scalar", type: "DateTime" },
        { name: "livemode", kind: "scalar", type: "Boolean" },
        { name: "recoveries", kind: "object", type: "Recovery" },
      ],
    },
    Recovery: {
      fields: [
        { name: "id", kind: "scalar", type: "String" },
        { name: "status", kind: "enum", type: "RecoveryStatus" },
        { name: "amountDueMinor", kind: "scalar", type: "Int" },
        { name: "metadata", kind: "scalar", type: "Json" },
      ],
    },
  },
};
const models: DataModel = dataModelOf(runtimeModel);
const since = { $type: "DateTime", value: "2026-12-07T00:00:00.000Z" };

function stats() {
  return { ...planCacheStats };
}

describe("parameterize: which values become placeholders", () => {
  it("takes out the plain values of where and data, and keeps what shapes the SQL", () => {
    const result = parameterize(
      {
        modelName: "Customer",
        action: "findMany",
        query: {
          arguments: { where: { workspaceId: "ws_1", email: null, livemode: true, createdAt: { gte: since } }, orderBy: [{ createdAt: "desc" }], take: 25 },
          selection: { $scalars: true, recoveries: { arguments: { where: { status: { in: ["pending", "recovered"] }, amountDueMinor: { gt: 100 } } }, selection: { $scalars: true } } },
        },
      },
      models,
    );
    expect(result).not.toBeNull();
    const text = JSON.stringify(result!.shape);
    // The values are gone from the shape; null, booleans, enum lists, directions and take stay.
    expect(text).not.toContain("ws_1");
    expect(text).not.toContain("2026-12-07");
    expect(text).toContain('"email":null');
    expect(text).toContain('"livemode":true');
    expect(text).toContain('["pending","recovered"]');
    expect(text).toContain('"desc"');
    expect(text).toContain('"take":25');
    expect([...result!.values.values()]).toEqual(["ws_1", "2026-12-07T00:00:00.000Z", 100]);
  });

  it("makes each item of a list a placeholder (the list's length is part of the shape), and a raw query's parameters too", () => {
    const list = parameterize({ modelName: "Customer", action: "findMany", query: { arguments: { where: { id: { in: ["a", "b"] } } }, selection: { $scalars: true } } }, models);
    expect([...list!.values.values()]).toEqual(["a", "b"]);
    const raw = parameterize({ action: "executeRaw", query: { arguments: { query: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", parameters: JSON.stringify(["ws:in_1"]) }, selection: {} } }, models);
    expect(raw!.shape).toEqual({ action: "executeRaw", raw: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", kinds: "s" });
    expect([...raw!.values.values()]).toEqual(["ws:in_1"]);
  });

  it("gives equal values one placeholder, so that upsert's where and create still match", () => {
    const result = parameterize(
      {
        modelName: "Customer",
        action: "upsertOne",
        query: { arguments: { where: { id: "c_1" }, create: { id: "c_1", workspaceId: "ws_1" }, update: { email: "a@example.com" } }, selection: { $scalars: true } },
      },
      models,
    );
    expect(result!.values.size).toBe(3);
    const args = result!.shape.query as { arguments: { where: { id: unknown }; create: { id: unknown } } };
    expect(args.arguments.where.id).toEqual(args.arguments.create.id);
  });

  it("leaves to the compiler what it does not know: Json, lists holding null, LIKE and case-insensitive filters, nested writes, unknown fields, wrong types", () => {
    const shapes = [
      { modelName: "Recovery", action: "updateOne", query: { arguments: { where: { id: "r" }, data: { metadata: { a: 1 } } }, selection: { $scalars: true } } },
      { modelName: "Customer", action: "findMany", query: { arguments: { where: { email: { contains: "x" } } }, selection: { $scalars: true } } },
      { modelName: "Customer", action: "findMany", query: { arguments: { where: { email: { equals: "x", mode: "insensitive" } } }, selection: { $scalars: true } } },
      { modelName: "Customer", action: "createOne", query: { arguments: { data: { id: "c", recoveries: { create: [] } } }, selection: { $scalars: true } } },
      { modelName: "Customer", action: "findMany", query: { arguments: { where: { nickname: "x" } }, selection: { $scalars: true } } },
      // A string where an Int belongs: the compiler's own validation error, not a placeholder.
      { modelName: "Recovery", action: "findMany", query: { arguments: { where: { amountDueMinor: "12" } }, selection: { $scalars: true } } },
      { modelName: "Customer", action: "findMany", query: { arguments: { where: { id: { in: ["a", null] } } }, selection: { $scalars: true } } },
      { action: "queryRaw", query: { arguments: { query: "SELECT $1", parameters: JSON.stringify([1.5]) }, selection: {} } },
      { modelName: "Customer", action: "groupBy", query: { arguments: { by: ["email"] }, selection: { $scalars: true } } },
    ];
    for (const shape of shapes) expect(parameterize(shape, models), JSON.stringify(shape)).toBeNull();
  });
});

describe("instantiate", () => {
  it("writes our values where our placeholders are and leaves the compiler's own", () => {
    const plan = { args: [{ prisma__type: "param", prisma__value: { name: "%recoup0", type: "String" } }, { prisma__type: "param", prisma__value: { name: "0$id", type: "String" } }] };
    const copy = instantiate(cachedPlan(plan), new Map([["%recoup0", "ws_1"]]));
    expect(copy).toEqual({ args: ["ws_1", { prisma__type: "param", prisma__value: { name: "0$id", type: "String" } }] });
    // The cached plan is not touched: the next query of the shape gets its own values.
    expect(plan.args[0]).toEqual({ prisma__type: "param", prisma__value: { name: "%recoup0", type: "String" } });
  });
});

describe("cachingCompile", () => {
  // A compiler that writes `where.id` into its plan: a literal, or the placeholder node for a Param.
  // `differs(id)` says for which literal ids it plans otherwise than for a placeholder (as an enum's
  // cast or a native upsert would).
  const compiler = (differs: (id: string) => boolean) => ({
    compile(request: string) {
      const q = JSON.parse(request) as { query: { arguments: { where: { id: unknown } } } };
      const id = q.query.arguments.where.id as { $type?: string; value?: string } | string;
      if (typeof id === "object") return { sql: "SELECT $1", args: [{ prisma__type: "param", prisma__value: { name: id.value, type: "String" } }] };
      return { sql: differs(id) ? "SELECT CAST($1)" : "SELECT $1", args: [id] };
    },
  });
  const query = (id: string) => JSON.stringify({ modelName: "Customer", action: "findUnique", query: { arguments: { where: { id } }, selection: { $scalars: true } } });

  it("serves the later queries of a shape from the cache, each with its own value", () => {
    const compile = cachingCompile(compiler(() => false), models, false);
    const before = stats();
    expect(compile(query("c_1"))).toEqual({ sql: "SELECT $1", args: ["c_1"] });
    expect(compile(query("c_2"))).toEqual({ sql: "SELECT $1", args: ["c_2"] });
    expect(compile(query("c_3"))).toEqual({ sql: "SELECT $1", args: ["c_3"] });
    expect(planCacheStats.misses - before.misses).toBe(1);
    expect(planCacheStats.hits - before.hits).toBe(2);
  });

  it("compiles as before a shape whose placeholder plan is not the compiler's literal plan", () => {
    const compile = cachingCompile(compiler(() => true), models, false);
    const before = stats();
    expect(compile(query("c_1"))).toEqual({ sql: "SELECT CAST($1)", args: ["c_1"] });
    expect(compile(query("c_2"))).toEqual({ sql: "SELECT CAST($1)", args: ["c_2"] });
    expect(planCacheStats.uncached - before.uncached).toBe(2);
    expect(planCacheStats.hits - before.hits).toBe(0);
  });

  it("with the check on, throws when a cached plan differs from the compiler's for a later value", () => {
    const compile = cachingCompile(compiler((id) => id === "odd"), models, true);
    compile(query("c_1"));
    expect(() => compile(query("odd"))).toThrow(/differs from the compiler's/);
    expect(planDifference({ sql: "SELECT $1", args: [1] }, { sql: "SELECT $1", args: ["1"], argTypes: ["bigint"] })).toBeNull();
  });
});

describe("the app's Prisma client with the plan cache", () => {
  let workspaceId: string;
  beforeAll(async () => {
    ({
      workspace: { id: workspaceId },
    } = await makeWorkspace());
    await db().customer.createMany({
      data: [
        { workspaceId, externalId: "cus_a", email: "a@example.com" },
        { workspaceId, externalId: "cus_b", email: "b@example.com" },
        { workspaceId, externalId: "cus_c", email: null },
      ],
    });
  });

  it("answers each query of one shape with its own rows, compiling the shape once", async () => {
    const find = (externalId: string) => db().customer.findFirst({ where: { workspaceId, externalId }, select: { email: true } });
    await find("cus_a");
    const before = stats();
    expect(await find("cus_b")).toEqual({ email: "b@example.com" });
    expect(await find("cus_a")).toEqual({ email: "a@example.com" });
    expect(await find("cus_missing")).toBeNull();
    expect(planCacheStats.hits - before.hits).toBe(3);
    expect(planCacheStats.misses - before.misses).toBe(0);
  });

  it("answers lists and raw queries of one shape with their own values", async () => {
    const byIds = (ids: string[]) => db().customer.findMany({ where: { workspaceId, externalId: { in: ids } }, orderBy: { externalId: "asc" }, select: { externalId: true } });
    expect(await byIds(["cus_a", "cus_b"])).toEqual([{ externalId: "cus_a" }, { externalId: "cus_b" }]);
    expect(await byIds(["cus_c", "cus_x"])).toEqual([{ externalId: "cus_c" }]);
    const count = async (externalId: string) =>
      (await db().$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "Customer" WHERE "workspaceId" = ${workspaceId} AND "externalId" = ${externalId}`)[0]!.n;
    const before = stats();
    expect(await count("cus_a")).toBe(1);
    expect(await count("cus_zz")).toBe(0);
    expect(planCacheStats.hits - before.hits).toBeGreaterThanOrEqual(1);
  });

  it("keeps null and a value apart (IS NULL is not = $1)", async () => {
    const withEmail = (email: string | null) => db().customer.findMany({ where: { workspaceId, email }, select: { externalId: true } });
    expect(await withEmail(null)).toEqual([{ externalId: "cus_c" }]);
    expect(await withEmail("a@example.com")).toEqual([{ externalId: "cus_a" }]);
  });

  it("writes with cached plans: updates by a compound key, increments, upserts on the unique key", async () => {
    const key = (externalId: string) => ({ workspaceId_provider_externalId: { workspaceId, provider: "stripe", externalId } });
    await db().customer.update({ where: key("cus_a"), data: { name: "Ada" } });
    await db().customer.update({ where: key("cus_b"), data: { name: "Bea" } });
    const upsert = (externalId: string, email: string) =>
      db().customer.upsert({ where: key(externalId), create: { workspaceId, externalId, email }, update: { email } });
    await upsert("cus_d", "d@example.com");
    await upsert("cus_d", "d2@example.com");
    const rows = await db().customer.findMany({ where: { workspaceId }, orderBy: { externalId: "asc" }, select: { externalId: true, name: true, email: true } });
    expect(rows).toEqual([
      { externalId: "cus_a", name: "Ada", email: "a@example.com" },
      { externalId: "cus_b", name: "Bea", email: "b@example.com" },
      { externalId: "cus_c", name: null, email: null },
      { externalId: "cus_d", name: null, email: "d2@example.com" },
    ]);
  });

  it("still answers a wrongly typed value with Prisma's validation error", async () => {
    await expect(db().customer.findFirst({ where: { workspaceId: 42 as unknown as string } })).rejects.toThrow(/Argument `workspaceId`: Invalid value provided/);
  });
});
