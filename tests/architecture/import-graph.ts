// The import graph of the application code (app/, jobs/), read by madge the way `madge --circular`
// reads it, and folded into modules: a domain area, a contract, a provider, an integration, or one
// of the shared layers. Type-only imports count: a cycle of types is still two modules that need
// each other (STYLE.md: one of them owns a piece that belongs to the other).
import madge from "madge";

export type Graph = Record<string, string[]>;

export async function fileGraph(root: string): Promise<{ graph: Graph; circular: string[][] }> {
  const result = await madge(["app", "jobs"], {
    baseDir: root,
    fileExtensions: ["ts", "tsx"],
    tsConfig: `${root}/tsconfig.json`,
    excludeRegExp: [/^generated\//, /\.test\.tsx?$/, /node_modules/],
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  });
  return { graph: result.obj(), circular: result.circular() };
}

/** The module a file belongs to, for the folder-level check. */
export function moduleOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "jobs") return parts[1] === "definitions" ? "jobs/definitions" : file;
  if (parts[0] !== "app") return file;
  // The Shopify app object: Shopify's template keeps it at the root, but it is the Shopify integration.
  if (file === "app/shopify.server.ts") return "integrations/shopify";
  const [, top, area] = parts;
  if (parts.length === 2) return file; // app/root.tsx, app/wiring.server.ts, …: each its own
  if (["domain", "contracts", "providers", "integrations"].includes(top!) && parts.length > 3) return `${top}/${area}`;
  return top!;
}

export function moduleGraph(files: Graph): { graph: Graph; edges: Map<string, [string, string]> } {
  const graph: Record<string, Set<string>> = {};
  const edges = new Map<string, [string, string]>();
  for (const [from, tos] of Object.entries(files)) {
    const a = moduleOf(from);
    graph[a] ??= new Set();
    for (const to of tos) {
      const b = moduleOf(to);
      if (a === b) continue;
      graph[a]!.add(b);
      if (!edges.has(`${a} -> ${b}`)) edges.set(`${a} -> ${b}`, [from, to]);
    }
  }
  return { graph: Object.fromEntries(Object.entries(graph).map(([k, v]) => [k, [...v].sort()])), edges };
}

/** Strongly connected components of more than one node (Tarjan): the cycles, each as a set of nodes. */
export function cyclesOf(graph: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph[v] ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of Object.keys(graph).sort()) if (!indexOf.has(v)) visit(v);
  return found;
}
