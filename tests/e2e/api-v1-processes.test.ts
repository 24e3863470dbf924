import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { buildIfStale } from "~/utils/build.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";

// Two web processes on this file's database, as `npm run start:web` twice behind a load balancer:
// the rate limit and Idempotency-Key must hold across them, because both live in PostgreSQL.
const WRITES_PER_MINUTE = 6;

function startWeb(): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "app/bin/start.ts", "--web"], {
    env: {
      ...process.env,
      PORT: "0",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
      NODE_ENV: "development",
      API_RATE_LIMIT_WRITE_PER_MINUTE: String(WRITES_PER_MINUTE),
      API_RATE_LIMIT_READ_PER_MINUTE: "1000",
      API_RATE_LIMIT_PER_HOUR: "1000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`not ready within 120 s:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Recoup is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, exited });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited early (${code}):\n${output}`)));
  });
}

let web: Array<Awaited<ReturnType<typeof startWeb>>> = [];

beforeAll(async () => {
  // Built once here: two processes building into build/ at the same time would trip over each other.
  buildIfStale(() => {});
  web = await Promise.all([startWeb(), startWeb()]);
}, 600_000);

afterAll(async () => {
  for (const w of web) w.child.kill("SIGTERM");
  await Promise.all(web.map((w) => w.exited));
});

function post(base: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/v1/api-keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("/api/v1 across two web processes sharing the database", () => {
  it("shares one rate limit: requests split across both hit 429 at the shared limit", async () => {
    const { workspace } = await makeWorkspace();
    const { key } = await createApiKey({ workspaceId: workspace.id, scopes: ["admin"], name: "shared limit" });
    const answers: Array<{ status: number; remaining: string | null }> = [];
    for (let i = 0; i < WRITES_PER_MINUTE + 3; i++) {
      const res = await post(web[i % 2]!.url, key, { name: `split-${i}`, scopes: ["read"] });
      answers.push({ status: res.status, remaining: res.headers.get("x-ratelimit-remaining") });
      if (res.status === 429) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
        const refused = (await res.json()) as { error: { code: string; type: string; retry_after?: number }; trace_id: string };
        expect(refused.error).toMatchObject({ code: "RATE_LIMITED", type: "rate_limited" });
        expect(refused.trace_id).toBe(res.headers.get("x-trace-id"));
      }
    }
    expect(answers.map((a) => a.status)).toEqual([...Array(WRITES_PER_MINUTE).fill(201), 429, 429, 429]);
    expect(answers.slice(0, WRITES_PER_MINUTE).map((a) => a.remaining)).toEqual(["5", "4", "3", "2", "1", "0"]);
    expect(await db().apiKey.count({ where: { workspaceId: workspace.id, name: { startsWith: "split-" } } })).toBe(WRITES_PER_MINUTE);
  }, 60_000);

  it("performs a request sent to both processes at once with one Idempotency-Key once", async () => {
    const { workspace } = await makeWorkspace();
    const { key } = await createApiKey({ workspaceId: workspace.id, scopes: ["admin"], name: "idempotent" });
    // Two rounds of three writes: within this key's 6 a minute (replays count too).
    for (let round = 0; round < 2; round++) {
      const body = { name: `once-${round}`, scopes: ["read"] };
      const headers = { "idempotency-key": `both-processes-${round}` };
      const [a, b] = await Promise.all(web.map((w) => post(w.url, key, body, headers)));
      type Answer = { data?: { id: string }; meta?: { merchant_id: string | null }; error?: { code: string; type: string } };
      const answers = [
        { status: a!.status, body: (await a!.json()) as Answer, replayed: a!.headers.get("idempotent-replayed") },
        { status: b!.status, body: (await b!.json()) as Answer, replayed: b!.headers.get("idempotent-replayed") },
      ];
      expect(await db().apiKey.count({ where: { workspaceId: workspace.id, name: body.name } })).toBe(1);
      const created = answers.filter((x) => x.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((x) => x.body.data?.id)).size).toBe(1);
      expect(created[0]!.body.data?.id).toEqual(expect.any(String));
      for (const x of created) expect(x.body.meta?.merchant_id).toBe(workspace.id);
      if (created.length === 2) expect(answers.filter((x) => x.replayed === "true")).toHaveLength(1);
      else expect(answers.find((x) => x.status !== 201)).toMatchObject({ status: 409, body: { error: { code: "IDEMPOTENCY_KEY_IN_USE", type: "idempotency_key_in_use" } } });

      // Afterwards either process replays the one answer.
      const later = await post(web[(round + 1) % 2]!.url, key, body, headers);
      expect(later.status).toBe(201);
      expect(later.headers.get("idempotent-replayed")).toBe("true");
      expect(((await later.json()) as { data: { id: string } }).data.id).toBe(created[0]!.body.data?.id);
    }
  }, 60_000);

  it("serves the OpenAPI document and the /docs/api reference from the built app", async () => {
    const doc = await fetch(`${web[0]!.url}/api/v1/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(["/api/v1/status", "/api/v1/api-keys", "/api/v1/api-keys/{id}/rotate"]));
    const page = await fetch(`${web[1]!.url}/docs/api`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Recoup API reference");
    expect(html).toContain("curl -s -X POST");
  }, 30_000);
});
