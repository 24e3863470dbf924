import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { db } from "~/utils/db.server";
import * as route from "./api.recovery.status";

describe("GET /api/recovery/status", () => {
  it("is 401 without credentials", async () => {
    expect((await callRoute(route, "/api/recovery/status?invoiceId=in_1")).status).toBe(401);
  });

  it("needs exactly one of invoiceId and customerId", async () => {
    const { apiKey } = await makeWorkspace();
    for (const q of ["", "?invoiceId=in_1&customerId=cus_1", "?invoiceId="]) {
      const res = await callRoute(route, `/api/recovery/status${q}`, { token: apiKey });
      expect(res.status).toBe(400);
      // Revive's error: a type, the message, the field it is about, and a code.
      expect(await jsonOf(res)).toMatchObject({ error: { type: "invalid_request_error", param: "invoiceId", code: "validation_failed", message: expect.any(String) } });
    }
  });

  it("is 404 recovery_not_found for an invoice it does not know", async () => {
    const { apiKey } = await makeWorkspace();
    const res = await callRoute(route, "/api/recovery/status?invoiceId=in_missing", { token: apiKey });
    expect(res.status).toBe(404);
    expect(await jsonOf(res)).toMatchObject({ error: { type: "invalid_request_error", code: "recovery_not_found", message: expect.any(String) } });
  });

  it("answers the payment with Revive's keys", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    await db().recovery.create({
      data: { workspaceId: workspace.id, externalId: "in_xxx", externalCustomerId: "cus_xxx", declineType: "soft", amountDueMinor: 4900, currency: "usd", startedAt: new Date(), lastFailureAt: new Date(), declineCode: "insufficient_funds", nextActionKind: "retry", nextActionAt: new Date(Date.now() + 3600_000) },
    });
    for (const q of ["invoiceId=in_xxx", "customerId=cus_xxx"]) {
      const res = await callRoute(route, `/api/recovery/status?${q}`, { token: apiKey });
      expect(res.status).toBe(200);
      const { payment } = await jsonOf<{ payment: Record<string, unknown> }>(res);
      expect(Object.keys(payment).sort()).toEqual(
        ["id", "stripeInvoiceId", "status", "amount", "currency", "retryCount", "maxRetries", "nextRetryAt", "failureReason", "retryHistory", "emailsSent"].sort(),
      );
      expect(payment).toMatchObject({ stripeInvoiceId: "in_xxx", status: "retrying", amount: 4900, failureReason: "insufficient_funds", nextRetryAt: expect.any(Number) });
    }
  });
});
