import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const DATA_DIR = path.resolve(process.env.RECOUP_DATA_DIR ?? ".data");

/**
 * A secret generated once for this checkout and kept in `.data/secrets/`.
 * Creation is atomic (`wx`), so a web and a worker process starting together
 * agree on one value.
 */
export function devSecret(name: string, make: () => string = () => randomBytes(32).toString("base64url"), dataDir = DATA_DIR): string {
  const dir = path.join(dataDir, "secrets");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, name);
  try {
    writeFileSync(file, make(), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFileSync(file, "utf8").trim();
}
