import { describe, expect, it } from "vitest";
import { ENGINE_DIR } from "./engine-boundary";
import { cycles, importGraph } from "./import-graph";

/**
 * Engine files that still import a module which imports the engine, each with who is moving the
 * dependency out. The list fails when an entry is no longer needed, so it only shrinks.
 */
const NOT_YET_UNTANGLED: Record<string, string> = {
  "app/domain/recovery/queries.server.ts": "issue 9 sessions A1/D: platform references (shopify/references.ts) are the provider's words, for the port or the surfaces",
  "app/domain/recovery/timeline.server.ts": "issue 9 sessions A1/D: platform references (shopify/references.ts) are the provider's words, for the port or the surfaces",
};

const moduleOf = (file: string) => /^app\/domain\/([^/]+)\//.exec(file)?.[1] ?? null;

describe("no import cycles through the engine (docs/decisions/0040-no-import-cycles-through-the-engine.md)", () => {
  const graph = importGraph(process.cwd());
  const engineFiles = [...graph.keys()].filter((f) => f.startsWith(ENGINE_DIR));
  const engine = moduleOf(ENGINE_DIR)!;
  /** Domain modules that import the engine. */
  const dependents = new Set(
    [...graph].filter(([file, targets]) => moduleOf(file) !== engine && targets.some((t) => t.startsWith(ENGINE_DIR))).map(([f]) => moduleOf(f)),
  );
  dependents.delete(null); // routes, jobs and the HTTP layer may import the engine: it imports none of them

  /** The engine file's imports of a domain module that imports the engine back. */
  const backEdges = (file: string) => graph.get(file)!.filter((t) => moduleOf(t) !== engine && dependents.has(moduleOf(t)));

  it("no cycle of imports runs through an engine file", () => {
    const through = cycles(graph).filter((c) => c.some((f) => f.startsWith(ENGINE_DIR) && !(f in NOT_YET_UNTANGLED)));
    expect(through.map((c) => c.join(" → "))).toEqual([]);
  });

  it("the engine imports no domain module that imports the engine", () => {
    const offending = engineFiles.filter((f) => !(f in NOT_YET_UNTANGLED)).flatMap((f) => backEdges(f).map((t) => `${f} imports ${t}`));
    expect(offending, "let that module listen (app/domain/recovery/listeners.ts) or move the shared piece to its one owner").toEqual([]);
  });

  it("every file on the waiting list still needs to be there", () => {
    const stale = Object.keys(NOT_YET_UNTANGLED).filter((f) => !graph.has(f) || backEdges(f).length === 0);
    expect(stale, "these files are untangled now: remove them from NOT_YET_UNTANGLED").toEqual([]);
  });

  it("finds a cycle in a synthetic graph", () => {
    const synthetic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(synthetic)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});
