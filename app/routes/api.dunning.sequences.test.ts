import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { makeWorkspace } from "../../tests/factories";
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { getActiveSequence } from "~/domain/campaigns/sequences.server";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import * as createRoute from "./api.dunning.sequences";
import * as updateRoute from "./api.dunning.sequences.$id";

type Step = { id: string; delayHours: number; subjectTemplate: string; bodyTemplate: string; status: string };
type Sequence = { id: string; workspaceId: string; name: string; isEnabled: boolean; steps: Step[]; createdAt: string; updatedAt: string };
type Problem = { type: string; title: string; status: number; code: string; detail: string; traceId: string; meta?: Record<string, unknown> };

const steps = [
  { delayHours: 0, subjectTemplate: "Payment to {{merchant_name}} failed", bodyTemplate: "Hi {{customer_name}}, update: {{update_payment_url}}" },
  { delayHours: 48, subjectTemplate: "Reminder", bodyTemplate: "{{amount}} {{currency}} is due ({{decline_reason}}). Retry on {{retry_date}}." },
];

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let other: Awaited<ReturnType<typeof makeWorkspace>>;

beforeEach(async () => {
  ws = await makeWorkspace();
  other = await makeWorkspace();
});

afterEach(() => testClock.reset());

// token null: no Authorization header at all.
function create(body: unknown, token: string | null = ws.apiKey) {
  return callRoute(createRoute, "/api/dunning/sequences", { method: "POST", body, token: token ?? undefined });
}

function patch(id: string, body: unknown, token: string | null = ws.apiKey) {
  return callRoute(updateRoute, `/api/dunning/sequences/${id}`, { method: "PATCH", params: { id }, body, token: token ?? undefined });
}

async function createOk(body: Partial<{ name: string; isEnabled: boolean; steps: unknown[] }> = {}) {
  const res = await create({ workspaceId: ws.workspace.id, name: "Gentle", isEnabled: true, steps, ...body });
  expect(res.status).toBe(201);
  return jsonOf<Sequence>(res);
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await jsonOf<Problem>(res);
  expect(body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String) });
  expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
  return body;
}

describe("POST /api/dunning/sequences", () => {
  it("creates a sequence: 201 with the contract's DunningSequence", async () => {
    const res = await create({ workspaceId: ws.workspace.id, name: "Gentle", isEnabled: true, steps });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await jsonOf<Sequence>(res);
    expect(Object.keys(body).sort()).toEqual(["createdAt", "id", "isEnabled", "name", "steps", "updatedAt", "workspaceId"]);
    expect(body).toMatchObject({ workspaceId: ws.workspace.id, name: "Gentle", isEnabled: true });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(new Date(body.updatedAt).toISOString()).toBe(body.updatedAt);
    expect(body.steps).toHaveLength(2);
    body.steps.forEach((step, i) => {
      expect(Object.keys(step).sort()).toEqual(["bodyTemplate", "delayHours", "id", "status", "subjectTemplate"]);
      expect(step).toMatchObject({ ...steps[i], status: "scheduled", id: expect.any(String) });
    });
    const stored = await db().dunningStep.findMany({ where: { sequenceId: body.id }, orderBy: { position: "asc" } });
    expect(stored.map((s) => [s.position, s.delayHours, s.workspaceId])).toEqual([
      [0, 0, ws.workspace.id],
      [1, 48, ws.workspace.id],
    ]);
  });

  it("accepts a dashboard session token as Bearer", async () => {
    const res = await create({ workspaceId: ws.workspace.id, name: "S", isEnabled: false, steps }, ws.sessionToken);
    expect(res.status).toBe(201);
  });

  it("refuses an unknown placeholder with unknown_placeholder naming it", async () => {
    const res = await create({
      workspaceId: ws.workspace.id,
      name: "Bad",
      isEnabled: true,
      steps: [steps[0], { ...steps[1], bodyTemplate: "Hi {{first_name}}" }],
    });
    const body = await expectProblem(res, 400, "unknown_placeholder");
    expect(body.detail).toContain("{{first_name}}");
    expect(body.detail).toContain("steps.1.bodyTemplate");
    expect(body.meta).toMatchObject({ placeholder: "first_name", path: "steps.1.bodyTemplate" });
    expect(await db().dunningSequence.count({ where: { workspaceId: ws.workspace.id } })).toBe(1);
  });

  it("refuses a malformed placeholder, naming the fragment", async () => {
    const res = await create({
      workspaceId: ws.workspace.id,
      name: "Bad",
      isEnabled: true,
      steps: [{ ...steps[0], subjectTemplate: "Hello {{ foo" }],
    });
    const body = await expectProblem(res, 400, "unknown_placeholder");
    expect(body.detail).toContain("{{ foo");
    expect(body.meta).toMatchObject({ placeholder: "{{ foo", path: "steps.0.subjectTemplate" });
  });

  it.each([
    ["a string delay", { steps: [{ ...steps[0], delayHours: "1" }] }],
    ["a negative delay", { steps: [{ ...steps[0], delayHours: -1 }] }],
    ["a fractional delay", { steps: [{ ...steps[0], delayHours: 1.5 }] }],
    ["no steps", { steps: [] }],
    ["isEnabled as a string", { isEnabled: "yes" }],
    ["a missing name", { name: undefined }],
    ["a step without a body", { steps: [{ delayHours: 1, subjectTemplate: "x" }] }],
  ])("answers 400 problem+json for %s", async (_label, change) => {
    const body = await expectProblem(
      await create({ workspaceId: ws.workspace.id, name: "X", isEnabled: true, steps, ...change }),
      400,
      "validation_failed",
    );
    expect(body.meta?.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]));
  });

  it("answers 400 for a body that is not JSON", async () => {
    await expectProblem(await create("{not json"), 400, "invalid_json");
  });

  it("answers 401 without credentials", async () => {
    await expectProblem(await create({ workspaceId: ws.workspace.id, name: "X", isEnabled: true, steps }, null), 401, "unauthorized");
  });

  it("answers 403 for another workspace's workspaceId, and creates nothing", async () => {
    await expectProblem(await create({ workspaceId: other.workspace.id, name: "X", isEnabled: true, steps }), 403, "forbidden");
    expect(await db().dunningSequence.count({ where: { workspaceId: other.workspace.id } })).toBe(1);
  });

  it("answers 403 to a read-only API key", async () => {
    const readOnly = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"], name: "ro" });
    await expectProblem(await create({ workspaceId: ws.workspace.id, name: "X", isEnabled: true, steps }, readOnly.key), 403, "insufficient_scope");
  });
});

describe("PATCH /api/dunning/sequences/{id}", () => {
  it("changes name and isEnabled, keeping the steps", async () => {
    const seq = await createOk();
    const res = await patch(seq.id, { name: "Renamed", isEnabled: false });
    expect(res.status).toBe(200);
    const body = await jsonOf<Sequence>(res);
    expect(body).toMatchObject({ id: seq.id, name: "Renamed", isEnabled: false });
    expect(body.steps).toEqual(seq.steps);
  });

  it("updates a step by id, adds steps without id, removes the ones left out, in the order sent", async () => {
    const seq = await createOk({
      steps: [...steps, { delayHours: 96, subjectTemplate: "Third", bodyTemplate: "{{update_payment_url}}" }],
    });
    const [first, second, third] = seq.steps;
    const res = await patch(seq.id, {
      steps: [
        { id: third!.id },
        { delayHours: 10, subjectTemplate: "New", bodyTemplate: "New {{merchant_name}}" },
        { id: first!.id, delayHours: 5, subjectTemplate: "Edited {{customer_name}}" },
      ],
    });
    expect(res.status).toBe(200);
    const body = await jsonOf<Sequence>(res);
    expect(body.steps.map((s) => [s.delayHours, s.subjectTemplate])).toEqual([
      [96, "Third"],
      [10, "New"],
      [5, "Edited {{customer_name}}"],
    ]);
    expect(body.steps[0]!.id).toBe(third!.id);
    expect(body.steps[2]).toMatchObject({ id: first!.id, bodyTemplate: first!.bodyTemplate, status: "scheduled" });
    expect(body.steps.map((s) => s.id)).not.toContain(second!.id);
    const stored = await db().dunningStep.findMany({ where: { sequenceId: seq.id }, orderBy: { position: "asc" } });
    expect(stored.map((s) => s.id)).toEqual(body.steps.map((s) => s.id));
    expect(stored.map((s) => s.position)).toEqual([0, 1, 2]);
    expect(await db().dunningStep.count({ where: { id: second!.id } })).toBe(0);
  });

  it("refuses an unknown placeholder in a step and changes nothing", async () => {
    const seq = await createOk();
    const body = await expectProblem(
      await patch(seq.id, { name: "Changed", steps: [{ id: seq.steps[0]!.id, bodyTemplate: "{{nope}}" }] }),
      400,
      "unknown_placeholder",
    );
    expect(body.meta).toMatchObject({ placeholder: "nope" });
    const stored = await db().dunningSequence.findUniqueOrThrow({ where: { id: seq.id }, include: { steps: true } });
    expect(stored.name).toBe("Gentle");
    expect(stored.steps).toHaveLength(2);
  });

  it("refuses a step id from another sequence, a repeated id, a new step missing fields and an empty list", async () => {
    const seq = await createOk();
    const otherSeq = await createOk();
    const id = seq.steps[0]!.id;
    await expectProblem(await patch(seq.id, { steps: [{ id: otherSeq.steps[0]!.id }] }), 400, "validation_failed");
    await expectProblem(await patch(seq.id, { steps: [{ id }, { id }] }), 400, "validation_failed");
    await expectProblem(await patch(seq.id, { steps: [{ delayHours: 1, subjectTemplate: "x" }] }), 400, "validation_failed");
    await expectProblem(await patch(seq.id, { steps: [] }), 400, "validation_failed");
    await expectProblem(await patch(seq.id, { isEnabled: "no" }), 400, "validation_failed");
    expect(await db().dunningStep.count({ where: { sequenceId: seq.id } })).toBe(2);
  });

  it("answers 404 for another workspace's sequence, and for an unknown id", async () => {
    const theirs = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: other.workspace.id } });
    await expectProblem(await patch(theirs.id, { name: "Mine now" }), 404, "not_found");
    await expectProblem(await patch("does-not-exist", { name: "x" }), 404, "not_found");
    expect((await db().dunningSequence.findUniqueOrThrow({ where: { id: theirs.id } })).name).toBe(DEFAULT_SEQUENCE.name);
  });

  it("answers 401 without credentials", async () => {
    const seq = await createOk();
    await expectProblem(await patch(seq.id, { name: "x" }, null), 401, "unauthorized");
  });
});

describe("the active sequence", () => {
  it("is the default one from the start", async () => {
    const active = await getActiveSequence(ws.workspace.id);
    expect(active?.name).toBe(DEFAULT_SEQUENCE.name);
    expect(active?.steps.map((s) => s.delayHours)).toEqual(DEFAULT_SEQUENCE.steps.map((s) => s.delayHours));
  });

  it("is the enabled sequence most recently created or updated", async () => {
    testClock.advance(1000);
    const a = await createOk({ name: "A" });
    expect((await getActiveSequence(ws.workspace.id))?.id).toBe(a.id);

    testClock.advance(1000);
    const b = await createOk({ name: "B" });
    expect((await getActiveSequence(ws.workspace.id))?.id).toBe(b.id);

    testClock.advance(1000);
    await patch(a.id, { steps: [{ id: a.steps[1]!.id }, { id: a.steps[0]!.id }] });
    expect((await getActiveSequence(ws.workspace.id))?.id).toBe(a.id);

    testClock.advance(1000);
    await patch(a.id, { isEnabled: false });
    expect((await getActiveSequence(ws.workspace.id))?.id).toBe(b.id);

    testClock.advance(1000);
    await createOk({ name: "C", isEnabled: false });
    expect((await getActiveSequence(ws.workspace.id))?.id).toBe(b.id);

    // An empty PATCH is not an update.
    testClock.advance(1000);
    const defaultId = (await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: ws.workspace.id, isDefault: true } })).id;
    expect((await patch(defaultId, {})).status).toBe(200);
    expect((await getActiveSequence(ws.workspace.id))?.id).toBe(b.id);

    await patch(b.id, { isEnabled: false });
    const fallback = await getActiveSequence(ws.workspace.id);
    expect(fallback?.name).toBe(DEFAULT_SEQUENCE.name);

    await patch(fallback!.id, { isEnabled: false });
    expect(await getActiveSequence(ws.workspace.id)).toBeNull();
  });

  it("belongs to the workspace", async () => {
    testClock.advance(1000);
    await createOk({ name: "Mine" });
    expect((await getActiveSequence(other.workspace.id))?.name).toBe(DEFAULT_SEQUENCE.name);
  });
});
