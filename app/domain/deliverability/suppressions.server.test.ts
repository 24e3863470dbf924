import { afterEach, describe, expect, it } from "vitest";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { isSuppressed, lift, list, stats, suppress, suppressedAmong } from "./suppressions.server";

afterEach(() => testClock.reset());

const offset = { mode: "offset" as const, page: 1, perPage: 25 };

describe("email suppressions", () => {
  it("suppress: normalised, idempotent (a webhook delivered twice stores one), per workspace", async () => {
    const { workspace: a } = await makeWorkspace();
    const { workspace: b } = await makeWorkspace();
    expect(await suppress({ workspaceId: a.id, email: " Ada@Example.com ", reason: "hard_bounce", source: "postmark", detail: "550 gone" })).toEqual({ created: true });
    expect(await suppress({ workspaceId: a.id, email: "ada@example.com", reason: "hard_bounce", source: "postmark", detail: "550 gone" })).toEqual({ created: false });
    // A complaint after the bounce keeps the first suppression.
    expect(await suppress({ workspaceId: a.id, email: "ADA@example.com", reason: "complaint", source: "sendgrid" })).toEqual({ created: false });
    expect(await db().emailSuppression.findMany({ where: { workspaceId: a.id } })).toEqual([
      expect.objectContaining({ email: "ada@example.com", reason: "hard_bounce", source: "postmark", detail: "550 gone", active: true, liftedAt: null }),
    ]);
    expect(await isSuppressed(a.id, "ADA@EXAMPLE.COM")).toEqual({ reason: "hard_bounce", source: "postmark" });
    // Another workspace may still email the address.
    expect(await isSuppressed(b.id, "ada@example.com")).toBeNull();
    expect(await suppressedAmong(a.id, ["Ada@example.com", "bob@example.com"])).toEqual(new Map([["ada@example.com", "hard_bounce"]]));
  });

  it("stores one active suppression even when the same address is suppressed concurrently", async () => {
    const { workspace } = await makeWorkspace();
    const results = await Promise.all(Array.from({ length: 8 }, () => suppress({ workspaceId: workspace.id, email: "race@example.com", reason: "complaint", source: "ses" })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db().emailSuppression.count({ where: { workspaceId: workspace.id } })).toBe(1);
  });

  it("lift: ends the active suppression (kept as history), a second lift or another workspace's address is not found, suppressing again is a new row", async () => {
    const { workspace: a } = await makeWorkspace();
    const { workspace: b } = await makeWorkspace();
    await suppress({ workspaceId: a.id, email: "ada@example.com", reason: "unsubscribe", source: "list_unsubscribe" });
    await expect(lift({ workspaceId: b.id, email: "ada@example.com", by: "api_key:k" })).rejects.toMatchObject({ code: "suppression_not_found" });
    testClock.set(new Date("2026-12-01T10:00:00Z"));
    const lifted = await lift({ workspaceId: a.id, email: "Ada@Example.com", by: "api_key:k1" });
    expect(lifted).toMatchObject({ email: "ada@example.com", active: false, liftedBy: "api_key:k1", liftedAt: new Date("2026-12-01T10:00:00Z") });
    expect(await isSuppressed(a.id, "ada@example.com")).toBeNull();
    await expect(lift({ workspaceId: a.id, email: "ada@example.com", by: "api_key:k1" })).rejects.toMatchObject({ code: "suppression_not_found" });
    expect(await suppress({ workspaceId: a.id, email: "ada@example.com", reason: "hard_bounce", source: "smtp" })).toEqual({ created: true });
    expect(await db().emailSuppression.count({ where: { workspaceId: a.id } })).toBe(2);
  });

  it("list: newest first, active only by default, by part of the address or by reason", async () => {
    const { workspace } = await makeWorkspace();
    const at = (iso: string) => testClock.set(new Date(iso));
    at("2026-11-01T00:00:00Z");
    await suppress({ workspaceId: workspace.id, email: "old@example.com", reason: "hard_bounce", source: "smtp" });
    at("2026-11-02T00:00:00Z");
    await suppress({ workspaceId: workspace.id, email: "complainer@shop.example", reason: "complaint", source: "ses" });
    at("2026-11-03T00:00:00Z");
    await suppress({ workspaceId: workspace.id, email: "gone@example.com", reason: "hard_bounce", source: "postmark" });
    await lift({ workspaceId: workspace.id, email: "gone@example.com", by: "cli" });

    const active = await list({ workspaceId: workspace.id, page: offset });
    expect(active.items.map((s) => s.email)).toEqual(["complainer@shop.example", "old@example.com"]);
    expect(active).toMatchObject({ total: 2, page: 1, perPage: 25, totalPages: 1 });
    const all = await list({ workspaceId: workspace.id, page: offset, activeOnly: false });
    expect(all.items.map((s) => [s.email, s.active])).toEqual([
      ["gone@example.com", false],
      ["complainer@shop.example", true],
      ["old@example.com", true],
    ]);
    expect((await list({ workspaceId: workspace.id, page: offset, search: "SHOP" })).items.map((s) => s.email)).toEqual(["complainer@shop.example"]);
    expect((await list({ workspaceId: workspace.id, page: offset, reason: "hard_bounce", activeOnly: false })).items.map((s) => s.email)).toEqual(["gone@example.com", "old@example.com"]);
    expect((await list({ workspaceId: workspace.id, page: { mode: "cursor", limit: 1, after: null } })).nextCursor).toEqual(expect.any(String));
  });

  it("stats: active and lifted, active ones by reason and source, the last 30 days", async () => {
    const { workspace } = await makeWorkspace();
    const { workspace: other } = await makeWorkspace();
    testClock.set(new Date("2026-10-01T00:00:00Z"));
    await suppress({ workspaceId: workspace.id, email: "a@example.com", reason: "hard_bounce", source: "smtp" });
    testClock.set(new Date("2026-12-01T00:00:00Z"));
    await suppress({ workspaceId: workspace.id, email: "b@example.com", reason: "hard_bounce", source: "postmark" });
    await suppress({ workspaceId: workspace.id, email: "c@example.com", reason: "complaint", source: "ses" });
    await suppress({ workspaceId: workspace.id, email: "d@example.com", reason: "unsubscribe", source: "list_unsubscribe" });
    await lift({ workspaceId: workspace.id, email: "d@example.com", by: "cli" });
    await suppress({ workspaceId: other.id, email: "a@example.com", reason: "manual", source: "api" });

    const s = await stats({ workspaceId: workspace.id });
    expect(s).toMatchObject({ total: 4, active: 3, lifted: 1, recent: { days: 30, total: 3 } });
    expect(Object.fromEntries(s.byReason.map((r) => [r.reason, r.count]))).toEqual({ hard_bounce: 2, complaint: 1, unsubscribe: 0, manual: 0 });
    expect(Object.fromEntries(s.bySource.map((r) => [r.source, r.count]))).toEqual({ smtp: 1, postmark: 1, ses: 1, sendgrid: 0, resend: 0, list_unsubscribe: 0, api: 0 });
  });
});
