// Imported first by every process entry point (server, worker, CLI, migrations, benchmark), so that
// `.env` is read before any module reads process.env (DATA_DIR, DATABASE_URL, PORT, APP_URL…).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

/**
 * Reads `.env` from the working directory (or RECOUP_ENV_FILE; empty: none) into process.env. The
 * real environment wins over the file, and an empty value in the file means "unset" (as in
 * .env.example). Returns the keys it set.
 */
export function loadEnvFile(
  file = process.env.RECOUP_ENV_FILE ?? path.resolve(".env"),
  target: Record<string, string | undefined> = process.env,
): string[] {
  if (!file || !existsSync(file)) return [];
  const values = parseEnv(readFileSync(file, "utf8"));
  const set: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === "" || target[key] !== undefined) continue;
    target[key] = value;
    set.push(key);
  }
  return set;
}

loadEnvFile();
