import { describe, expect, it } from "vitest";
import { startRecoup } from "../helpers/processes";

describe("processes", () => {
  it("the worker starts, and stops cleanly on SIGTERM", async () => {
    const worker = startRecoup(["--worker"], /Worker started/);
    await worker.seen;
    worker.child.kill("SIGTERM");
    const code = await worker.exited;
    expect({ code, output: worker.output() }).toMatchObject({ output: expect.stringMatching(/SIGTERM: stopping/) });
    expect(worker.output()).not.toMatch(/"level":"error"/);
    expect(code).toBe(0);
  }, 90_000);
});

describe("the web process", () => {
  it("serves the health endpoints, then stops cleanly on SIGTERM", async () => {
    const web = startRecoup(["--web"], /Recoup is running at (http:\/\/\S+)/);
    await web.seen;
    const url = /Recoup is running at (http:\/\/\S+)/.exec(web.output())![1]!;
    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, version: "0.1.0" });
    const missing = await fetch(`${url}/api/dunning/sequences/does-not-exist`, { method: "PATCH", body: "{}", headers: { "content-type": "application/json" } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    web.child.kill("SIGTERM");
    expect(await web.exited).toBe(0);
  }, 240_000);
});

describe("npm start (web and worker in one process)", () => {
  // The built web bundle and the worker's source share the process (and node_modules): modules
  // that both load are evaluated twice, which once crashed the boot (~/utils/schema-names.ts).
  // This is the command the README gives.
  it("boots both, serves the API and its document, then stops cleanly on SIGTERM", async () => {
    const both = startRecoup([], /Worker started/);
    await both.seen;
    const url = /Recoup is running at (http:\/\/\S+)/.exec(both.output())![1]!;
    const document = await fetch(`${url}/api/v1/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { openapi: string }).openapi).toBe("3.1.0");
    expect((await fetch(`${url}/api/v1/status`)).status).toBe(200);
    both.child.kill("SIGTERM");
    expect(await both.exited).toBe(0);
    expect(both.output()).not.toMatch(/"level":"error"/);
  }, 240_000);
});
