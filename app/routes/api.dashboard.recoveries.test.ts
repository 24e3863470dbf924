import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { db } from "~/utils/db.server";
import * as route from "./api.dashboard.recoveries";

async function seed(workspaceId: string, n: number) {
  await db().recovery.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      workspaceId,
      externalId: `in_${workspaceId}_${i}`,
      externalCustomerId: "cus_1",
      declineType: "hard" as const,
      status: i % 2 ? ("recovered" as const) : ("pending" as const),
      amountDueMinor: 1000 + i,
      recoveredAmountMinor: i % 2 ? 1000 + i : null,
      endedAt: i % 2 ? new Date(Date.UTC(2025, 1, 1 + i)) : null,
      currency: "usd",
      startedAt: new Date(Date.UTC(2025, 0, 1 + i)),
      lastFailureAt: new Date(Date.UTC(2025, 0, 1 + i)),
    })),
  });
}

describe("GET /api/dashboard/recoveries", () => {
  it("is 401 without credentials and 403 for another workspace", async () => {
    const a = await makeWorkspace();
    const b = await makeWorkspace();
    expect((await callRoute(route, `/api/dashboard/recoveries?workspaceId=${a.workspace.id}`)).status).toBe(401);
    const res = await callRoute(route, `/api/dashboard/recoveries?workspaceId=${b.workspace.id}`, { token: a.apiKey });
    expect(res.status).toBe(403);
  });

  it("is 400 for a bad status, limit or cursor", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const base = `/api/dashboard/recoveries?workspaceId=${workspace.id}`;
    for (const [query, code] of [
      ["&status=won", "validation_failed"],
      ["&limit=0", "validation_failed"],
      ["&limit=101", "validation_failed"],
      ["&limit=abc", "validation_failed"],
      ["&limit=2.5", "validation_failed"],
      ["&cursor=%%%", "invalid_cursor"],
      ["&cursor=eyJmb28iOjF9", "invalid_cursor"],
    ]) {
      const res = await callRoute(route, base + query, { token: apiKey });
      expect({ query, status: res.status, type: res.headers.get("content-type") }).toEqual({ query, status: 400, type: "application/problem+json" });
      expect(await jsonOf(res)).toMatchObject({ code });
    }
  });

  it("pages newest first with exact contract keys", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const other = await makeWorkspace();
    await seed(workspace.id, 5);
    await seed(other.workspace.id, 3);
    const first = await jsonOf<{ items: Array<{ attempt: Record<string, unknown>; latestOutcome: unknown }>; nextCursor: string | null }>(
      await callRoute(route, `/api/dashboard/recoveries?workspaceId=${workspace.id}&limit=3`, { token: apiKey }),
    );
    expect(Object.keys(first).sort()).toEqual(["items", "nextCursor"]);
    expect(first.items.map((i) => i.attempt.amountDueCents)).toEqual([1004, 1003, 1002]);
    // Pending: no outcome yet, so no latestOutcome (the document's allOf rejects null).
    expect(Object.keys(first.items[0]!).sort()).toEqual(["attempt"]);
    expect(Object.keys(first.items[0]!.attempt).sort()).toEqual(
      ["id", "workspaceId", "stripeInvoiceId", "stripeCustomerId", "declineType", "status", "amountDueCents", "recoveredAmountCents", "startedAt", "endedAt", "currency", "nextActionAt", "nextActionReason"].sort(),
    );
    expect(first.items[0]!.attempt).toMatchObject({ workspaceId: workspace.id, status: "pending", startedAt: "2025-01-05T00:00:00.000Z", endedAt: null, declineType: "hard" });
    const second = await jsonOf<typeof first>(
      await callRoute(route, `/api/dashboard/recoveries?workspaceId=${workspace.id}&limit=3&cursor=${first.nextCursor}`, { token: apiKey }),
    );
    expect(second.items.map((i) => i.attempt.amountDueCents)).toEqual([1001, 1000]);
    expect(second.nextCursor).toBeNull();

    const recovered = await jsonOf<typeof first>(
      await callRoute(route, `/api/dashboard/recoveries?workspaceId=${workspace.id}&status=recovered`, { token: apiKey }),
    );
    expect(recovered.items.map((i) => i.attempt.status)).toEqual(["recovered", "recovered"]);
  });
});
