// The engine's boundary, checked on the source (docs/decisions/0039-the-engine-boundary.md): outside
// app/domain/recovery/ nothing writes a recovery table or takes the engine's locks.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** The engine's folder: the only code that may write its tables and take its locks. */
export const ENGINE_DIR = "app/domain/recovery/";

/** The Prisma delegates of the engine's tables. */
const DELEGATES = ["recovery", "chargeAttempt", "recoveryOutcome", "customer", "subscriptionAtRisk", "customerPayment"];
const WRITES = ["create", "createMany", "createManyAndReturn", "update", "updateMany", "upsert", "delete", "deleteMany"];
/** The same tables by their SQL names (raw SQL uses the table names, not the models'). */
const TABLES = ["RecoveryAttempt", "RetryAttempt", "RecoveryOutcome", "Customer", "SubscriptionAtRisk", "CustomerPayment"];

const RULES: Array<{ what: string; pattern: RegExp }> = [
  { what: "writes a recovery table through Prisma", pattern: new RegExp(String.raw`\.\s*(?:${DELEGATES.join("|")})\s*\.\s*(?:${WRITES.join("|")})\s*\(`, "g") },
  {
    what: "writes a recovery table in raw SQL",
    pattern: new RegExp(String.raw`\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:"?public"?\.)?"(?:${TABLES.join("|")})"`, "gi"),
  },
  { what: "takes a Postgres advisory lock", pattern: /\bpg_(?:try_)?advisory_/g },
  { what: "takes the engine's invoice lock", pattern: /\blockInvoice\s*\(/g },
  // Importing the engine's internals (lockInvoice, planNext, decide…) is ESLint's no-restricted-imports (eslint.config.js).
];

export interface Offence {
  file: string;
  line: number;
  what: string;
  code: string;
}

/**
 * The offences in one file's text. Comment lines are blanked first (line numbers kept), so that
 * prose about a write is not one.
 */
export function scanSource(file: string, text: string): Offence[] {
  const lines = text.split("\n");
  const code = lines.map((l) => (/^\s*(?:\/\/|\/\*|\*)/.test(l) ? "" : l)).join("\n");
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code[i] === "\n") lineStarts.push(i + 1);
  const lineOf = (index: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const found: Offence[] = [];
  for (const rule of RULES) {
    for (const match of code.matchAll(rule.pattern)) {
      const line = lineOf(match.index);
      found.push({ file, line, what: rule.what, code: lines[line - 1]!.trim() });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Source files (not tests) under the given folders, as paths relative to `root` with forward slashes. */
export function sourceFiles(root: string, folders: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(relative(root, path).split(sep).join("/"));
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return files.sort();
}

/** Every offence outside the engine's folder. */
export function scanOutsideEngine(root: string, folders = ["app", "jobs"]): Offence[] {
  return sourceFiles(root, folders)
    .filter((file) => !file.startsWith(ENGINE_DIR))
    .flatMap((file) => scanSource(file, readFileSync(join(root, file), "utf8")));
}
