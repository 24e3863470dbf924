import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIfStale } from "../../app/utils/build.server";
import { loadEnvFile } from "../../app/utils/env-file.server";
import { freePort } from "../helpers/net";

const run = promisify(execFile);
const repo = path.resolve(".");

describe("a .env file in the folder Recoup runs from", () => {
  // A checkout of its own (symlinks to this one) whose only difference is its .env.
  const dir = mkdtempSync(path.join(os.tmpdir(), "recoup-dotenv-"));
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn" };
  delete env.PORT;
  delete env.APP_URL;
  delete env.SEED_DEMO;
  delete env.RECOUP_ENV_FILE; // tests/setup/per-file.ts turns .env off for every other test
  beforeAll(() => {
    buildIfStale(() => {});
    for (const entry of readdirSync(repo)) {
      if (![".data", ".env", ".git"].includes(entry)) symlinkSync(path.join(repo, entry), path.join(dir, entry));
    }
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (...args: string[]) => (await run(process.execPath, ["--import", "tsx", "app/bin/cli.ts", ...args, "--json"], { cwd: dir, env, timeout: 60_000 })).stdout;

  it("sets the server's port, and the CLI's sign-in link opens a session on that server", async () => {
    const port = await freePort();
    writeFileSync(path.join(dir, ".env"), `# as copied from .env.example\nDATABASE_URL=\nPORT=${port}\nAPP_URL=\nSEED_DEMO=false\n`);
    // DATABASE_URL: the real environment (this test file's database) wins over the file's empty value.
    const workspace = JSON.parse(await cli("workspace", "create", "--name", "Dotenv", "--owner-email", "owner@dotenv.test")) as { id: string };
    const { url } = JSON.parse(await cli("sign-in-link", "--workspace", workspace.id)) as { url: string };
    expect(url.startsWith(`http://localhost:${port}/`)).toBe(true);

    const web = spawn(process.execPath, ["--import", "tsx", "app/bin/start.ts", "--web"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise((resolve) => web.on("exit", resolve));
    try {
      let output = "";
      const running = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not running within 60 s:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Recoup is running at (\S+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        web.stdout.on("data", onData);
        web.stderr.on("data", onData);
        web.on("exit", (code) => reject(new Error(`exited early (${code}):\n${output}`)));
      });
      expect(running).toBe(`http://localhost:${port}`);
      const signIn = await fetch(url, { redirect: "manual" });
      expect(signIn.status).toBe(302);
      expect(signIn.headers.get("location")).toBe("/dashboard");
      expect(signIn.headers.get("set-cookie")).toBeTruthy();
    } finally {
      web.kill("SIGTERM");
      await exited;
    }
  }, 180_000);

  it("builds the CLI's links from its APP_URL when it sets one", async () => {
    writeFileSync(path.join(dir, ".env"), `PORT=4999\nAPP_URL=https://recoup.example.com/\n`);
    const workspace = JSON.parse(await cli("workspace", "create", "--name", "Dotenv 2")) as { id: string };
    const { url } = JSON.parse(await cli("sign-in-link", "--workspace", workspace.id)) as { url: string };
    expect(url.startsWith("https://recoup.example.com/auth/")).toBe(true);
  }, 120_000);

  it("never overrides the real environment, and treats an empty value as unset", () => {
    const file = path.join(dir, "precedence.env");
    writeFileSync(file, `PORT=1111\nAPP_URL=https://from-file.example\nSMTP_URL=\n`);
    const target: Record<string, string | undefined> = { PORT: "2222" };
    expect(loadEnvFile(file, target)).toEqual(["APP_URL"]);
    expect(target).toEqual({ PORT: "2222", APP_URL: "https://from-file.example" });
  });
});
