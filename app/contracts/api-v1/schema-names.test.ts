import { spawnSync } from "node:child_process";
import { describe, expect, it, vi } from "vitest";

type Doc = { components: { schemas: Record<string, unknown> }; paths: Record<string, unknown> };

async function documentFromFreshModules(): Promise<Doc> {
  vi.resetModules();
  const { allOperations } = await import("./registry.server");
  const { buildOpenApiDocument } = await import("./openapi.server");
  return buildOpenApiDocument({ baseUrl: "http://recoup.test", operations: allOperations() }) as unknown as Doc;
}

// `npm start` runs the built web bundle and the worker's source in one process, and `npm run dev`
// loads modules through Vite beside Node: the same schema module is evaluated twice, while zod
// (one copy in node_modules) keeps one global registry. Names put there with `.meta({ id })`
// made the second evaluation throw "ID WebhookEndpoint already exists in the registry".
describe("API schema names", () => {
  it("survive every API module being evaluated twice in one process, and name the same components", async () => {
    const first = await documentFromFreshModules();
    const second = await documentFromFreshModules();
    expect(Object.keys(second.components.schemas).sort()).toEqual(Object.keys(first.components.schemas).sort());
    expect(Object.keys(first.components.schemas)).toEqual(expect.arrayContaining(["Payment", "Recovery", "Customer", "WebhookEndpoint", "ApiKey"]));
    expect(Object.keys(second.paths).length).toBeGreaterThan(30);
  });

  it("are never given with .meta({ id }) (zod's global registry) in app code", () => {
    const grep = spawnSync("git", ["grep", "--untracked", "-n", "-E", "\\.meta\\(\\{ *id *:", "--", "app", "jobs"], { encoding: "utf8" });
    expect(grep.stdout).toBe("");
  });
});
