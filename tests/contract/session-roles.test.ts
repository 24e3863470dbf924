// The older APIs that take a dashboard session as well as an API key (DunningDog's, Revive's):
// a session carries its teammate's role (ADR 0010), so a member cannot do over the API what the
// pages refuse them.
import { beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as connectStart from "~/routes/api.stripe.connect.start";
import * as sequences from "~/routes/api.dunning.sequences";
import * as summary from "~/routes/api.dashboard.summary";
import * as retry from "~/routes/api.recovery.retry";
import { db } from "~/utils/db.server";
import { makeTeammate, makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "../helpers/http";

type Problem = { code: string; detail: string };
const sequence = { name: "Gentle", isEnabled: false, steps: [{ delayHours: 0, subjectTemplate: "Card declined", bodyTemplate: "Update: {{update_payment_url}}" }] };

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
beforeEach(async () => {
  ws = await makeWorkspace({ name: "Roles Co", ownerEmail: `olive-${Date.now()}@roles.example` });
});

describe("dashboard sessions on the session-or-key APIs", () => {
  it("a member reads and retries, but cannot change dunning emails or connect Stripe; the refusal names the owner", async () => {
    const { sessionToken } = await makeTeammate(ws.workspace.id, "member");

    const read = await callRoute(summary, `/api/dashboard/summary?workspaceId=${ws.workspace.id}`, { method: "GET", token: sessionToken });
    expect(read.status).toBe(200);
    // Allowed past the role check: the invoice is simply unknown.
    const retried = await callRoute(retry, "/api/recovery/retry", { body: { invoiceId: "in_unknown" }, token: sessionToken });
    expect(retried.status).toBe(404);

    const before = await db().dunningSequence.count({ where: { workspaceId: ws.workspace.id } });
    const created = await callRoute(sequences, "/api/dunning/sequences", { body: { ...sequence, workspaceId: ws.workspace.id }, token: sessionToken });
    expect(created.status).toBe(403);
    const problem = await jsonOf<Problem>(created);
    expect(problem.code).toBe("insufficient_scope");
    expect(problem.detail).toMatch(/^Only admins can do this\. Ask olive-\d+@roles\.example \(the owner\)/);
    expect(await db().dunningSequence.count({ where: { workspaceId: ws.workspace.id } })).toBe(before);

    const connect = await callRoute(connectStart, "/api/stripe/connect/start", { body: { workspaceId: ws.workspace.id }, token: sessionToken });
    expect(connect.status).toBe(403);
    expect(await db().oAuthState.count({ where: { workspaceId: ws.workspace.id } })).toBe(0);
  });

  it("an admin may change dunning emails; a removed teammate's session no longer works", async () => {
    const admin = await makeTeammate(ws.workspace.id, "admin");
    const created = await callRoute(sequences, "/api/dunning/sequences", { body: { ...sequence, workspaceId: ws.workspace.id }, token: admin.sessionToken });
    expect(created.status).toBe(201);

    await db().membership.deleteMany({ where: { workspaceId: ws.workspace.id, userId: admin.user.id } });
    const after = await callRoute(summary, `/api/dashboard/summary?workspaceId=${ws.workspace.id}`, { method: "GET", token: admin.sessionToken });
    expect(after.status).toBe(401);
  });

  it("an API key needs the admin scope to start Stripe Connect", async () => {
    const readOnly = await createApiKey({ workspaceId: ws.workspace.id, name: "reporting", scopes: ["read"] });
    const refused = await callRoute(connectStart, "/api/stripe/connect/start", { body: { workspaceId: ws.workspace.id }, token: readOnly.key });
    expect(refused.status).toBe(403);
    expect((await jsonOf<Problem>(refused)).detail).toBe('This API key lacks the "admin" scope.');
  });
});
