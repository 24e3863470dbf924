import { describe, expect, it } from "vitest";
import { makeRecovery as recovery, makeWorkspace } from "../../../tests/factories";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { decodeCursor, encodeCursor } from "~/domain/recovery/queries.server";
import { listRecoveries } from "./recoveries.server";

describe("listRecoveries", () => {
  it("pages newest first through ties on startedAt without gaps or repeats", async () => {
    const { workspace } = await makeWorkspace();
    const tie = new Date("2025-03-01T12:00:00.000Z");
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await recovery(workspace.id, { startedAt: tie }));
    rows.push(await recovery(workspace.id, { startedAt: new Date("2025-03-02T00:00:00.000Z") }));
    rows.push(await recovery(workspace.id, { startedAt: new Date("2025-02-28T00:00:00.000Z") }));
    const expected = [...rows]
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((r) => r.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listRecoveries>> = await listRecoveries({ workspaceId: workspace.id, limit: 2, cursor });
      seen.push(...page.items.map((i) => i.attempt.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(4);
  });

  it("returns no cursor when the page is the last, and honours the default limit of 20", async () => {
    const { workspace } = await makeWorkspace();
    for (let i = 0; i < 21; i++) await recovery(workspace.id);
    const first = await listRecoveries({ workspaceId: workspace.id });
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listRecoveries({ workspaceId: workspace.id, cursor: first.nextCursor });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("filters by status and includes the latest outcome", async () => {
    const { workspace } = await makeWorkspace();
    const won = await recovery(workspace.id, { status: "recovered", recoveredAmountMinor: 500, endedAt: new Date("2025-01-05") });
    await db().recoveryOutcome.create({
      data: { workspaceId: workspace.id, recoveryId: won.id, outcome: "recovered", occurredAt: new Date("2025-01-05") },
    });
    await recovery(workspace.id, { status: "pending" });
    const page = await listRecoveries({ workspaceId: workspace.id, status: "recovered" });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.attempt).toMatchObject({ id: won.id, status: "recovered", recoveredAmountCents: 500, endedAt: "2025-01-05T00:00:00.000Z" });
    expect(page.items[0]!.latestOutcome).toMatchObject({ recoveryAttemptId: won.id, outcome: "recovered", reasonCode: null });
    const pending = await listRecoveries({ workspaceId: workspace.id, status: "pending" });
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]).not.toHaveProperty("latestOutcome");
  });

  it("never shows another workspace's rows, even with its cursor", async () => {
    const a = await makeWorkspace();
    const b = await makeWorkspace();
    const mine = await recovery(a.workspace.id);
    const theirs = await recovery(b.workspace.id, { startedAt: new Date("2020-01-01") });
    const page = await listRecoveries({ workspaceId: a.workspace.id, cursor: encodeCursor({ startedAt: new Date("2030-01-01"), id: theirs.id }) });
    expect(page.items.map((i) => i.attempt.id)).toEqual([mine.id]);
  });

  it("rejects a malformed cursor with invalid_cursor", async () => {
    const { workspace } = await makeWorkspace();
    for (const bad of ["not a cursor!", "abc", Buffer.from("r1:nope:x").toString("base64url"), Buffer.from('{"id":1}').toString("base64url")]) {
      const error = await listRecoveries({ workspaceId: workspace.id, cursor: bad }).catch((e) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe("invalid_cursor");
    }
    expect(decodeCursor(encodeCursor({ startedAt: new Date(5), id: "c1" }))).toEqual({ startedAt: new Date(5), id: "c1" });
  });
});
