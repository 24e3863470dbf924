import { thrownWithStatus } from "../../../tests/helpers/thrown";
import { describe, expect, it } from "vitest";
import { makeRecovery as recovery, makeWorkspace } from "../../../tests/factories";
import { db } from "~/utils/db.server";
import { getRecoveryStatus } from "./recovery-status.server";

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
    expect(payment).toMatchObject({ id: latest.id, status: "awaiting_customer", nextRetryAt: null, failureReason: "expired_card", maxRetries: 8, retryCount: 0 });
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
