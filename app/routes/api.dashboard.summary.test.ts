import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { writeMetricSnapshots } from "~/domain/analytics/snapshots.server";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { db } from "~/utils/db.server";
import * as route from "./api.dashboard.summary";

const CONTRACT_KEYS = ["workspaceId", "window", "failedRevenueCents", "recoveredRevenueCents", "recoveryRate", "atRiskCount", "activeSequences", "generatedAt"];
const EXTRAS = ["atRiskPreview", "byCurrency", "currency", "windowStart"];

describe("GET /api/dashboard/summary", () => {
  it("is 401 without credentials, as problem+json", async () => {
    const { workspace } = await makeWorkspace();
    const res = await callRoute(route, `/api/dashboard/summary?workspaceId=${workspace.id}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await jsonOf(res)).toMatchObject({ status: 401, code: "unauthorized", traceId: expect.any(String) });
  });

  it("is 403 for another workspace's id", async () => {
    const a = await makeWorkspace();
    const b = await makeWorkspace();
    const res = await callRoute(route, `/api/dashboard/summary?workspaceId=${b.workspace.id}`, { token: a.apiKey });
    expect(res.status).toBe(403);
    expect(await jsonOf(res)).toMatchObject({ code: "forbidden" });
  });

  it("is 400 for an unknown window or a missing workspaceId", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    for (const path of [`/api/dashboard/summary?workspaceId=${workspace.id}&window=1y`, "/api/dashboard/summary"]) {
      const res = await callRoute(route, path, { token: apiKey });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await jsonOf(res)).toMatchObject({ code: "validation_failed" });
    }
  });

  it("needs the analytics or read scope", async () => {
    const { workspace } = await makeWorkspace();
    const writeOnly = await createApiKey({ workspaceId: workspace.id, scopes: ["write"] });
    const analytics = await createApiKey({ workspaceId: workspace.id, scopes: ["analytics"] });
    const path = `/api/dashboard/summary?workspaceId=${workspace.id}`;
    expect((await callRoute(route, path, { token: writeOnly.key })).status).toBe(403);
    expect((await callRoute(route, path, { token: analytics.key })).status).toBe(200);
  });

  it("answers the DashboardSummary contract, month by default", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await db().recovery.create({
      data: { workspaceId: workspace.id, externalId: "in_1", externalCustomerId: "cus_1", declineType: "soft", amountDueMinor: 4900, currency: "usd", startedAt: new Date(), lastFailureAt: new Date() },
    });
    const res = await callRoute(route, `/api/dashboard/summary?workspaceId=${workspace.id}`, { token: sessionToken });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(Object.keys(body).sort()).toEqual([...CONTRACT_KEYS, ...EXTRAS].sort());
    expect(body).toMatchObject({ workspaceId: workspace.id, window: "month", failedRevenueCents: 4900, recoveredRevenueCents: 0, recoveryRate: 0, atRiskCount: 0, activeSequences: 1, atRiskPreview: [] });
    expect(new Date(body.generatedAt as string).toISOString()).toBe(body.generatedAt);

    await writeMetricSnapshots({ workspaceId: workspace.id, now: new Date() });
    const withSnapshot = await jsonOf(await callRoute(route, `/api/dashboard/summary?workspaceId=${workspace.id}&window=7d`, { token: sessionToken }));
    expect(Object.keys(withSnapshot.latestSnapshot as object).sort()).toEqual(
      ["id", "workspaceId", "periodStart", "periodEnd", "failedRevenueCents", "recoveredRevenueCents", "recoveryRate", "atRiskCount", "generatedAt", "currency"].sort(),
    );
  });
});
