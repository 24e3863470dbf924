// What Recoup serves, read from the sources rather than listed by hand: every route file with the
// methods it answers, and every operation the seed documents (/work/shared/seeds, or the copy named
// by RECOUP_SEEDS_DIR) show on their products' paths. A suite driven by these lists covers a route
// or a documented path added tomorrow without a line of its own.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export interface RouteFile {
  file: string;
  /** `/api/v1/payments/{id}`, `/recover/{token}/done`, `/e/o/{trackingId}.gif`, `/auth/*` for a splat. */
  path: string;
  loader: boolean;
  action: boolean;
}

/** A Remix flat-route file name → its path: `.` separates segments, `[…]` is literal, `$x` is `{x}`, `_index` and a trailing `_` vanish. */
export function pathOfRouteFile(file: string): string {
  const segments: string[] = [];
  let current = "";
  let literal = false;
  const push = () => {
    let segment = current;
    if (segment.endsWith("_") && !segment.startsWith("$")) segment = segment.slice(0, -1);
    if (segment.startsWith("$")) segment = segment.endsWith("_") ? segment.slice(0, -1) : segment;
    if (segment === "$") segments.push("*");
    else if (segment.startsWith("$")) segments.push(segment.replace(/^\$(\w+)(.*)$/, "{$1}$2"));
    else if (segment !== "_index") segments.push(segment);
    current = "";
  };
  for (const ch of file.replace(/\.tsx?$/, "")) {
    if (ch === "[" && !literal) literal = true;
    else if (ch === "]" && literal) literal = false;
    else if (ch === "." && !literal) push();
    else current += ch;
  }
  push();
  return `/${segments.join("/")}`;
}

/** Every route file under app/routes (tests excepted), with whether it exports a loader and an action. */
export function routeFiles(dir = "app/routes"): RouteFile[] {
  return readdirSync(dir)
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
    .map((file) => {
      const source = readFileSync(path.join(dir, file), "utf8");
      const exported = (name: string) => new RegExp(`^export (const|async function|function) ${name}\\b`, "m").test(source);
      return { file, path: pathOfRouteFile(file), loader: exported("loader"), action: exported("action") };
    });
}

export type Product = "DunningDog" | "Flow Arc" | "LostChurn" | "ND8" | "Revive";

export interface SeedOperation {
  product: Product;
  method: Method;
  /** As Recoup serves it: under /api, with `{id}` parameters. */
  path: string;
}

export function seedsDir(): string {
  return process.env.RECOUP_SEEDS_DIR ?? "/work/shared/seeds";
}

const METHODS = ["get", "post", "put", "patch", "delete"];

function openApiOperations(doc: { paths: Record<string, Record<string, unknown>> }, product: Product, base = ""): SeedOperation[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => METHODS.includes(m))
      .map((m) => ({ product, method: m.toUpperCase() as Method, path: `${base}${p}` })),
  );
}

/**
 * The operations of the five seed documents (see their README): DunningDog's and Flow Arc's
 * OpenAPI JSON, ND8's YAML paths (under its base `/api`, trailing slashes kept), LostChurn's
 * `GET /v1/…` reference lines and Revive's `/api/…` mentions (the methods it names beside them).
 * Empty when the seeds are not on this machine (a fresh clone): the suites then fuzz the routes only.
 */
export function seedOperations(dir = seedsDir()): SeedOperation[] {
  if (!existsSync(path.join(dir, "README.md"))) return [];
  const read = (name: string) => readFileSync(path.join(dir, name), "utf8");
  const ops: SeedOperation[] = [];
  ops.push(...openApiOperations(JSON.parse(read("000_c5e93b4f96050dbd.openapi.json")), "DunningDog"));
  ops.push(...openApiOperations(JSON.parse(read("001_21cfe684c68be865.txt")), "Flow Arc"));
  // ND8: `  /path/:` under `paths:`, then `    get:` lines for its methods.
  let current: string | null = null;
  for (const line of read("003_da12c9f9df4a4927.txt").split("\n")) {
    const pathLine = /^ {2}(\/\S*):\s*$/.exec(line);
    if (pathLine) current = pathLine[1]!;
    else if (/^\S/.test(line)) current = null;
    const methodLine = /^ {4}(get|post|put|patch|delete):\s*$/.exec(line);
    if (current && methodLine) ops.push({ product: "ND8", method: methodLine[1]!.toUpperCase() as Method, path: `/api${current}` });
  }
  for (const match of read("002_e6cf37878635a88c.txt").matchAll(/^(GET|POST|PUT|PATCH|DELETE) (\/v1\/\S+)/gm)) {
    ops.push({ product: "LostChurn", method: match[1] as Method, path: `/api${match[2]!.replace(/:(\w+)/g, "{$1}")}` });
  }
  for (const match of read("004_22b131ae36997840.txt").matchAll(/\b(GET|POST)?\s*`?(\/api\/[a-z/-]+)/g)) {
    ops.push({ product: "Revive", method: (match[1] as Method | undefined) ?? (/retry|webhooks/.test(match[2]!) ? "POST" : "GET"), path: match[2]! });
  }
  const seen = new Set<string>();
  return ops.filter((op) => {
    const key = `${op.method} ${op.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
