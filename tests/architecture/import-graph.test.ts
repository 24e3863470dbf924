import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cyclesOf, fileGraph, moduleGraph, moduleOf } from "./import-graph";

const root = resolve(import.meta.dirname, "../..");

describe("the import graph", () => {
  let read: Awaited<ReturnType<typeof fileGraph>>;
  beforeAll(async () => {
    read = await fileGraph(root);
  });

  it("has no import cycle between files (what `madge --circular` reports)", () => {
    expect(read.circular.map((cycle) => cycle.join(" > "))).toEqual([]);
  });

  it("has no cycle between modules: domain areas, contracts, providers and the shared layers", () => {
    const { graph, edges } = moduleGraph(read.graph);
    // Each cycle with the imports that close it, so the message says where to cut.
    const described = cyclesOf(graph).map((component) =>
      component.flatMap((a) => component.filter((b) => graph[a]!.includes(b)).map((b) => `${a} -> ${b} (${edges.get(`${a} -> ${b}`)!.join(" imports ")})`)),
    );
    expect(described).toEqual([]);
  });

  it("finds a cycle when there is one, and names modules as the layout does", () => {
    expect(cyclesOf({ a: ["b"], b: ["c"], c: ["a"], d: ["a"] })).toEqual([["a", "b", "c"]]);
    expect(cyclesOf({ a: ["b"], b: [] })).toEqual([]);
    expect(moduleOf("app/domain/recovery/engine.server.ts")).toBe("domain/recovery");
    expect(moduleOf("app/contracts/api-v1/payments.server.ts")).toBe("contracts/api-v1");
    expect(moduleOf("app/http/auth.server.ts")).toBe("http");
    expect(moduleOf("app/wiring.server.ts")).toBe("app/wiring.server.ts");
    expect(moduleOf("app/shopify.server.ts")).toBe("integrations/shopify");
    expect(moduleOf("jobs/definitions/charge-retry.ts")).toBe("jobs/definitions");
    const { graph } = moduleGraph({ "app/http/a.ts": ["app/components/B.tsx"], "app/components/B.tsx": ["app/http/a.ts"] });
    expect(cyclesOf(graph)).toEqual([["components", "http"]]);
  });
});
