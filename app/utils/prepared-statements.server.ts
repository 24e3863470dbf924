// Prisma's statements prepared once per connection (ADR 0065). Through @prisma/adapter-pg 6.19 every
// statement goes to PostgreSQL unnamed: parsed and analysed again on each call. Prisma's SQL texts
// are few and fixed (its values travel as $n parameters; ADR 0063 keeps one plan per query shape),
// so each text gets a name from its hash and node-postgres parses it once per connection. Plans
// stay per call (plan_cache_mode = force_custom_plan): only the parse is saved, never a plan made
// for other values.
import { createHash } from "node:crypto";
import pg from "pg";

/** Distinct texts named; beyond this (a run of one-off raw SQL), statements go unnamed as before. */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

export function statementName(text: string): string | null {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return null;
    name = `recoup_${createHash("sha256").update(text).digest("base64url").slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** node-postgres's Client, naming the statements given as `{ text, values }` (adapter-pg's form). */
export class PreparingClient extends pg.Client {
  // pg's overloads take a config, a text, values and a callback; only the config form is changed.
  override query(...args: unknown[]): never {
    const [config] = args;
    if (typeof config === "object" && config !== null && !("name" in config) && !("submit" in config) && typeof (config as { text?: unknown }).text === "string") {
      const name = statementName((config as { text: string }).text);
      if (name) args[0] = { ...config, name };
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/**
 * The pool options that make a pg.Pool prepare statements once per connection; none for a
 * DATABASE_URL marked `pgbouncer=true` (Prisma's convention): a pooler in transaction mode hands
 * each transaction another server connection, where the named statement does not exist.
 */
export function preparedStatementOptions(url: string): { Client?: typeof PreparingClient; options?: string } {
  if (new URL(url).searchParams.get("pgbouncer") === "true") return {};
  return { Client: PreparingClient, options: "-c plan_cache_mode=force_custom_plan" };
}
