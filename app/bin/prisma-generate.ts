// Runs on `npm install` (postinstall): `prisma generate` needs a well-formed
// DATABASE_URL even though it never connects (../shared/docs/OFFLINE.md).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
execFileSync(process.execPath, [cli, "generate"], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://generate:only@localhost:5432/none", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
});
