// LostChurn 65–70 and the standing holdout: experiments started over the API, deterministic
// assignment that the engine honours when a failure arrives, results with intervals, promote and
// stop, and the holdout's incremental recovery with its interval on seeded data.
import { afterAll, describe, expect, it } from "vitest";
import { recordInvoiceFailure } from "~/domain/recovery/engine.server";
import { assignVariant, bucket, inHoldout } from "~/domain/recovery/experiments";
import * as listRoute from "~/routes/api.v1.experiments";
import * as oneRoute from "~/routes/api.v1.experiments.$id";
import * as resultsRoute from "~/routes/api.v1.experiments.$id.results";
import * as promoteRoute from "~/routes/api.v1.experiments.$id.promote";
import * as stopRoute from "~/routes/api.v1.experiments.$id.stop";
import * as assignRoute from "~/routes/api.v1.experiments.assign.$customer_id";
import * as holdoutRoute from "~/routes/api.v1.experiments.holdout";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeRecovery, makeWorkspace } from "../factories";
import { failureFacts } from "../helpers/failure-input";
import { useV1Caller } from "../helpers/openapi";

const v1 = useV1Caller({
  "/api/v1/experiments": listRoute,
  "/api/v1/experiments/{id}": oneRoute,
  "/api/v1/experiments/{id}/results": resultsRoute,
  "/api/v1/experiments/{id}/promote": promoteRoute,
  "/api/v1/experiments/{id}/stop": stopRoute,
  "/api/v1/experiments/assign/{customer_id}": assignRoute,
  "/api/v1/experiments/holdout": holdoutRoute,
});
afterAll(() => testClock.reset());

const LIST = "/api/v1/experiments";
const retryExperiment = {
  name: "No retries vs today",
  kind: "retry_timing",
  variants: [
    { key: "control", name: "Today", share: 0.5, params: {} },
    { key: "none", name: "No retries", share: 0.5, params: { max_retries: 0 } },
  ],
};

describe("experiments over the API", () => {
  it("starts one (a second is a 409), reads and lists it, refuses bad variants with field errors", async () => {
    const ws = await makeWorkspace();
    const made = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: retryExperiment, expect: 201 });
    expect(made.data).toMatchObject({ name: "No retries vs today", kind: "retry_timing", status: "running", winner: null });
    expect(made.data.variants.map((v: { key: string; control: boolean }) => [v.key, v.control])).toEqual([["control", true], ["none", false]]);
    const second = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { ...retryExperiment, name: "Again" }, expect: 409 });
    expect(second.error).toMatchObject({ type: "experiment_state_conflict", running_experiment_id: made.data.id });
    const got = await v1.call("GET", "/api/v1/experiments/{id}", `/api/v1/experiments/${made.data.id}`, { token: ws.apiKey, params: { id: made.data.id }, expect: 200 });
    expect(got.data).toEqual(made.data);
    const list = await v1.call("GET", LIST, `${LIST}?status=running`, { token: ws.apiKey, expect: 200 });
    expect(list.body.pagination).toMatchObject({ total: 1 });

    const other = await makeWorkspace();
    const refuse = async (body: unknown, path: string) => {
      const res = await v1.call("POST", LIST, LIST, { token: other.apiKey, body, expect: 400 });
      expect(res.error.code).toBe("VALIDATION_ERROR");
      expect(JSON.stringify(res.error.errors)).toContain(path);
    };
    await refuse({ ...retryExperiment, variants: [{ ...retryExperiment.variants[0], share: 0.7 }, retryExperiment.variants[1]] }, "variants");
    await refuse({ ...retryExperiment, variants: [retryExperiment.variants[0], { ...retryExperiment.variants[1], params: { max_retries: 99 } }] }, "max_retries");
    await refuse({ ...retryExperiment, variants: [retryExperiment.variants[0], { ...retryExperiment.variants[1], key: "control" }] }, "key");
    await refuse({ ...retryExperiment, kind: "email_cadence", variants: [retryExperiment.variants[0], { key: "slow", name: "Slow", share: 0.5, params: { delay_scale: 10 } }] }, "delay_scale");
    await v1.call("GET", "/api/v1/experiments/{id}", `/api/v1/experiments/${made.data.id}`, { token: other.apiKey, params: { id: made.data.id }, expect: 404 });
  });

  it("assigns by customer, deterministically, and the engine follows the variant when the payment fails", async () => {
    testClock.set(new Date("2026-11-10T09:00:00Z"));
    const ws = await makeWorkspace();
    const made = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: retryExperiment, expect: 201 });
    // Customers on each side of the split, found by the same hash the engine uses.
    const customers = Array.from({ length: 40 }, (_, i) => `cus_exp_${i}`);
    const inNone = customers.find((c) => assignVariant(made.data.id, retryExperiment.variants, c).key === "none")!;
    const inControl = customers.find((c) => assignVariant(made.data.id, retryExperiment.variants, c).key === "control")!;

    const asked = await v1.call("GET", "/api/v1/experiments/assign/{customer_id}", `/api/v1/experiments/assign/${inNone}`, { token: ws.apiKey, params: { customer_id: inNone }, expect: 200 });
    expect(asked.data).toMatchObject({ customer_id: inNone, holdout: false, experiment_id: made.data.id, variant: "none", known: false });

    for (const [customer, invoice] of [[inNone, "in_none"], [inControl, "in_control"]] as const) {
      await recordInvoiceFailure(failureFacts({ workspaceId: ws.workspace.id, invoiceId: invoice, customer: { externalId: customer, email: `${customer}@example.com`, name: null }, declineCode: "insufficient_funds" }));
    }
    const none = await db().recovery.findFirstOrThrow({ where: { workspaceId: ws.workspace.id, externalId: "in_none" } });
    const control = await db().recovery.findFirstOrThrow({ where: { workspaceId: ws.workspace.id, externalId: "in_control" } });
    expect([none.experimentVariant, control.experimentVariant]).toEqual(["none", "control"]);
    // No retries for the "none" variant: an insufficient-funds decline is otherwise retried.
    expect(control.nextActionKind).toBe("retry");
    expect(none.nextActionKind).not.toBe("retry");
    const again = await v1.call("GET", "/api/v1/experiments/assign/{customer_id}", `/api/v1/experiments/assign/${inNone}`, { token: ws.apiKey, params: { customer_id: inNone }, expect: 200 });
    expect(again.data).toMatchObject({ variant: "none", known: true });
  });

  it("results: shares with Wilson intervals, the difference with its interval, a winner only when the interval clears zero; promote applies it", async () => {
    testClock.set(new Date("2026-11-20T12:00:00Z"));
    const ws = await makeWorkspace();
    const made = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: retryExperiment, expect: 201 });
    const id = made.data.id;
    const seed = async (variant: string, n: number, recovered: number) => {
      for (let i = 0; i < n; i++) {
        await makeRecovery(ws.workspace.id, {
          experimentId: id,
          experimentVariant: variant,
          amountDueMinor: 2000,
          ...(i < recovered ? { status: "recovered", recoveredAmountMinor: 2000, endedAt: new Date() } : { status: "failed", endedAt: new Date() }),
        });
      }
    };
    await seed("control", 200, 60); // 30 %
    await seed("none", 200, 100); // 50 %
    const res = await v1.call("GET", "/api/v1/experiments/{id}/results", `/api/v1/experiments/${id}/results`, { token: ws.apiKey, params: { id }, expect: 200 });
    const [control, none] = res.data.variants;
    expect(control).toMatchObject({ key: "control", failures: 200, recovered: 60, recovered_share: 0.3, vs_control: null });
    expect(control.recovered_share_interval.low).toBeLessThan(0.3);
    expect(control.recovered_share_interval.high).toBeGreaterThan(0.3);
    expect(none.vs_control.recovered_share_difference.estimate).toBeCloseTo(0.2, 4);
    expect(none.vs_control.recovered_share_difference.low).toBeGreaterThan(0.1);
    expect(none.vs_control.recovered_share_difference.high).toBeLessThan(0.3);
    expect(none.recovered_per_failure_cents.estimate).toBe(1000);
    expect(res.data.winner).toBe("none");

    const promoted = await v1.call("POST", "/api/v1/experiments/{id}/promote", `/api/v1/experiments/${id}/promote`, { token: ws.apiKey, params: { id }, body: {}, expect: 200 });
    expect(promoted.data).toMatchObject({ status: "completed", winner: "none" });
    expect(((await db().workspace.findUniqueOrThrow({ where: { id: ws.workspace.id } })).retrySettings as { maxRetries: number }).maxRetries).toBe(0);
    await v1.call("POST", "/api/v1/experiments/{id}/stop", `/api/v1/experiments/${id}/stop`, { token: ws.apiKey, params: { id }, expect: 409 });
  });

  it("no winner while the interval includes zero: promote without a variant is a 409; stop ends it and new failures join nothing", async () => {
    testClock.set(new Date("2026-11-20T12:00:00Z"));
    const ws = await makeWorkspace();
    const made = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: retryExperiment, expect: 201 });
    const id = made.data.id;
    for (const [variant, recovered] of [["control", 3], ["none", 4]] as const) {
      for (let i = 0; i < 10; i++) await makeRecovery(ws.workspace.id, { experimentId: id, experimentVariant: variant, ...(i < recovered ? { status: "recovered", recoveredAmountMinor: 1000 } : {}) });
    }
    const res = await v1.call("GET", "/api/v1/experiments/{id}/results", `/api/v1/experiments/${id}/results`, { token: ws.apiKey, params: { id }, expect: 200 });
    expect(res.data.winner).toBeNull();
    expect(res.data.variants[1].vs_control.recovered_share_difference.low).toBeLessThan(0);
    const refused = await v1.call("POST", "/api/v1/experiments/{id}/promote", `/api/v1/experiments/${id}/promote`, { token: ws.apiKey, params: { id }, body: {}, expect: 409 });
    expect(refused.error.message).toMatch(/No variant has won yet/);
    expect((await v1.call("POST", "/api/v1/experiments/{id}/stop", `/api/v1/experiments/${id}/stop`, { token: ws.apiKey, params: { id }, expect: 200 })).data.status).toBe("stopped");
    await recordInvoiceFailure(failureFacts({ workspaceId: ws.workspace.id, invoiceId: "in_after_stop", declineCode: "insufficient_funds" }));
    expect((await db().recovery.findFirstOrThrow({ where: { externalId: "in_after_stop", workspaceId: ws.workspace.id } })).experimentId).toBeNull();
  });
});

describe("the standing holdout", () => {
  it("is off by default; set to 5 %, held-out customers get no retry and no email, and join no experiment", async () => {
    testClock.set(new Date("2026-11-10T09:00:00Z"));
    const ws = await makeWorkspace();
    const off = await v1.call("GET", "/api/v1/experiments/holdout", "/api/v1/experiments/holdout", { token: ws.apiKey, expect: 200 });
    expect(off.data.holdout).toMatchObject({ enabled: false, share: 0, suggested_share: 0.05 });
    await v1.call("PUT", "/api/v1/experiments/holdout", "/api/v1/experiments/holdout", { token: ws.apiKey, body: { share: 0.5 }, expect: 400 });
    const on = await v1.call("PUT", "/api/v1/experiments/holdout", "/api/v1/experiments/holdout", { token: ws.apiKey, body: { share: 0.05 }, expect: 200 });
    expect(on.data).toMatchObject({ enabled: true, share: 0.05 });
    await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: retryExperiment, expect: 201 });

    const candidates = Array.from({ length: 400 }, (_, i) => `cus_h_${i}`);
    const held = candidates.find((c) => inHoldout(500, ws.workspace.id, c))!;
    const treated = candidates.find((c) => !inHoldout(500, ws.workspace.id, c))!;
    expect(bucket(`holdout:${ws.workspace.id}`, held)).toBeLessThan(0.05);
    for (const [customer, invoice] of [[held, "in_held"], [treated, "in_treated"]] as const) {
      await recordInvoiceFailure(failureFacts({ workspaceId: ws.workspace.id, invoiceId: invoice, customer: { externalId: customer, email: `${customer}@example.com`, name: null }, declineCode: "expired_card" }));
    }
    const h = await db().recovery.findFirstOrThrow({ where: { workspaceId: ws.workspace.id, externalId: "in_held" }, include: { messages: true } });
    const t = await db().recovery.findFirstOrThrow({ where: { workspaceId: ws.workspace.id, externalId: "in_treated" }, include: { messages: true } });
    expect(h).toMatchObject({ holdout: true, experimentId: null, sequenceId: null, nextActionKind: "wait", nextActionAt: null });
    expect(h.nextActionReason).toMatch(/Held out/);
    expect(h.messages).toHaveLength(0);
    // The treated customer with an expired card is asked for a new one and enrolled in the default campaign.
    expect(t.holdout).toBe(false);
    expect(t.sequenceId).not.toBeNull();
    expect(t.messages.map((m) => m.kind)).toContain("card_update_request");
    const asked = await v1.call("GET", "/api/v1/experiments/assign/{customer_id}", `/api/v1/experiments/assign/${held}`, { token: ws.apiKey, params: { customer_id: held }, expect: 200 });
    expect(asked.data).toMatchObject({ holdout: true, variant: null });
  });

  it("reports the incremental recovery with a 95 % interval and what it is worth, on seeded data", async () => {
    testClock.set(new Date("2026-11-20T12:00:00Z"));
    const ws = await makeWorkspace();
    await v1.call("PUT", "/api/v1/experiments/holdout", "/api/v1/experiments/holdout", { token: ws.apiKey, body: { share: 0.1 }, expect: 200 });
    const started = new Date("2026-11-01T00:00:00Z");
    const seed = async (holdout: boolean, n: number, recovered: number) => {
      for (let i = 0; i < n; i++) {
        await makeRecovery(ws.workspace.id, {
          holdout,
          startedAt: started,
          amountDueMinor: 5000,
          livemode: true,
          ...(i < recovered ? { status: "recovered", recoveredAmountMinor: 5000, endedAt: new Date("2026-11-05T00:00:00Z") } : { status: "abandoned", endedAt: new Date("2026-11-15T00:00:00Z") }),
        });
      }
    };
    await seed(false, 900, 540); // 60 % with Recoup
    await seed(true, 100, 25); // 25 % without
    const res = await v1.call("GET", "/api/v1/experiments/holdout", "/api/v1/experiments/holdout?days=30", { token: ws.apiKey, expect: 200 });
    expect(res.data).toMatchObject({ days: 30, currency: "usd", enough_data: true });
    expect(res.data.treated).toMatchObject({ failures: 900, recovered: 540, recovered_share: 0.6 });
    expect(res.data.held_out).toMatchObject({ failures: 100, recovered: 25, recovered_share: 0.25 });
    expect(res.data.incremental_share.estimate).toBeCloseTo(0.35, 4);
    expect(res.data.incremental_share.low).toBeGreaterThan(0.25);
    expect(res.data.incremental_share.high).toBeLessThan(0.45);
    // 0.35 × $50 × 900 treated failures = $15,750 recovered because of Recoup.
    expect(res.data.recovered_because_of_recoup_cents.estimate).toBe(1_575_000);
    expect(res.data.recovered_because_of_recoup_cents.low).toBeLessThan(1_575_000);
    expect(res.data.recovered_because_of_recoup_cents.high).toBeGreaterThan(1_575_000);
  });
});
