import { thrownWithStatus } from "../../../tests/helpers/thrown";
import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { decodeCursor, encodeCursor, getRecoveryStatus, listRecoveries } from "./queries.server";

let seq = 0;
async function recovery(workspaceId: string, over: Record<string, unknown> = {}) {
  seq += 1;
  const startedAt = (over.startedAt as Date | undefined) ?? new Date(Date.UTC(2025, 0, 1) + seq * 60_000);
  return db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_${seq}`,
      externalCustomerId: `cus_${seq}`,
      declineType: "soft",
      amountDueMinor: 1000 + seq,
      currency: "usd",
      lastFailureAt: startedAt,
      ...over,
      startedAt,
    },
  });
}

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

describe("getRecoveryStatus", () => {
  it("answers Revive's payment shape for an invoice", async () => {
    const { workspace } = await makeWorkspace();
    await db().workspace.update({ where: { id: workspace.id }, data: { retrySettings: { maxRetries: 4 } } });
    const next = new Date("2025-02-10T09:00:00.000Z");
    const r = await recovery(workspace.id, {
      externalId: "in_status",
      declineCode: "insufficient_funds",
      errorCode: "card_declined",
      nextActionKind: "retry",
      nextActionAt: next,
      amountDueMinor: 4900,
    });
    const at = (d: string) => new Date(d);
    await db().chargeAttempt.createMany({
      data: [
        { workspaceId: workspace.id, recoveryId: r.id, attemptNumber: 1, source: "platform", idempotencyKey: "k1", status: "failed", declineCode: "insufficient_funds", amountMinor: 4900, currency: "usd", attemptedAt: at("2025-02-01T00:00:00Z") },
        { workspaceId: workspace.id, recoveryId: r.id, attemptNumber: 2, source: "recoup", idempotencyKey: "k2", status: "failed", errorCode: "processing_error", amountMinor: 4900, currency: "usd", attemptedAt: at("2025-02-03T00:00:00Z") },
      ],
    });
    await db().dunningMessage.createMany({
      data: [
        { workspaceId: workspace.id, recoveryId: r.id, kind: "sequence", dedupeKey: "s1", subject: "s", bodyText: "b", bodyHtml: "b", status: "opened", scheduledFor: at("2025-02-02T00:00:00Z"), sentAt: at("2025-02-02T00:00:00Z"), openedAt: at("2025-02-02T01:00:00Z"), trackingId: "t1" },
        { workspaceId: workspace.id, recoveryId: r.id, kind: "sequence", dedupeKey: "s2", subject: "s", bodyText: "b", bodyHtml: "b", status: "scheduled", scheduledFor: at("2025-02-20T00:00:00Z"), trackingId: "t2" },
      ],
    });
    const { payment } = await getRecoveryStatus({ workspaceId: workspace.id, invoiceId: "in_status" });
    expect(payment).toEqual({
      id: r.id,
      stripeInvoiceId: "in_status",
      status: "retrying",
      amount: 4900,
      currency: "usd",
      retryCount: 1,
      maxRetries: 4,
      nextRetryAt: next.getTime(),
      failureReason: "insufficient_funds",
      retryHistory: [
        { attemptedAt: Date.parse("2025-02-01T00:00:00Z"), result: "failed", reason: "insufficient_funds", source: "platform" },
        { attemptedAt: Date.parse("2025-02-03T00:00:00Z"), result: "failed", reason: "processing_error", source: "recoup" },
      ],
      emailsSent: [{ type: "sequence", sentAt: Date.parse("2025-02-02T00:00:00Z"), opened: true }],
    });
  });

  it("maps statuses and finds a customer's most recent recovery", async () => {
    const { workspace } = await makeWorkspace();
    await recovery(workspace.id, { externalCustomerId: "cus_x", startedAt: new Date("2025-01-01"), status: "abandoned", endedAt: new Date("2025-01-09") });
    const latest = await recovery(workspace.id, { externalCustomerId: "cus_x", startedAt: new Date("2025-03-01"), nextActionKind: "email", errorCode: "expired_card" });
    const { payment } = await getRecoveryStatus({ workspaceId: workspace.id, customerId: "cus_x" });
    expect(payment).toMatchObject({ id: latest.id, status: "awaiting_customer", nextRetryAt: null, failureReason: "expired_card", maxRetries: 6, retryCount: 0 });
    const old = await getRecoveryStatus({ workspaceId: workspace.id, invoiceId: (await db().recovery.findFirstOrThrow({ where: { status: "abandoned", workspaceId: workspace.id } })).externalId });
    expect(old.payment.status).toBe("cancelled");
  });

  it("is 404 recovery_not_found for unknown ids and for another workspace's invoice", async () => {
    const a = await makeWorkspace();
    const b = await makeWorkspace();
    await recovery(b.workspace.id, { externalId: "in_theirs" });
    for (const q of [{ invoiceId: "in_nope" }, { invoiceId: "in_theirs" }, { customerId: "cus_nope" }]) {
      const error = await thrownWithStatus(getRecoveryStatus({ workspaceId: a.workspace.id, ...q }));
      expect(error).toMatchObject({ code: "recovery_not_found", status: 404 });
    }
  });
});
