import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { queues } from "../../jobs/queues";
import { deliver, drained, expectNoneLostNoneDoubled, failureEvents, merchantWithInvoices, redeliveredAndShuffled, seeded, useFaultRig } from "./rig";
import { waitUntil } from "../helpers/wait";

// Stripe answers 429 and 500 for a minute while events are processed and planned retries charge,
// then is healthy again.
const rig = useFaultRig("stripe-overloaded");

const OUTAGE_MS = 60_000;

describe("Stripe answering 429 and 500 for a minute", () => {
  it("processes every event and charges every due retry once Stripe is back, each invoice paid once", async () => {
    const random = seeded(53);
    const merchant = await merchantWithInvoices(rig, { count: 100, decline: (i) => (i % 2 === 0 ? "soft" : "hard") });
    const events = failureEvents(rig, merchant);
    const soft = new Set(merchant.invoices.filter((i) => i.decline === "soft").map((i) => i.id));
    const softEvents = events.filter((e) => soft.has((e.data.object as { id: string }).id));
    const hardEvents = events.filter((e) => !soft.has((e.data.object as { id: string }).id));

    // The soft declines first: their recoveries plan a retry (days away).
    const first = deliver(rig, redeliveredAndShuffled(softEvents, random));
    await first.done;
    await waitUntil(
      "a retry planned for every soft decline",
      async () => (await rig.sql<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'created'", [queues.chargeRetry.name]))[0]!.n >= soft.size,
      240_000,
    );

    // Stripe overloaded. The planned retries fall due now (their start moved forward, as if the days
    // had passed), and the hard declines' events arrive: both meet 429s and 500s.
    rig.stripe.failing([429, 500]);
    const outageStart = rig.stripe.requests.length;
    await rig.sql("UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state = 'created'", [queues.chargeRetry.name]);
    const second = deliver(rig, redeliveredAndShuffled(hardEvents, random));
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    rig.stripe.failing(null);
    const during = rig.stripe.requests.slice(outageStart);
    expect(during.filter((r) => /\/pay$/.test(r.path) && r.answeredStatus === 429).length).toBeGreaterThan(0);
    expect(during.filter((r) => /\/pay$/.test(r.path) && r.answeredStatus === 500).length).toBeGreaterThan(0);
    expect(during.filter((r) => r.method === "GET" && r.answeredStatus !== undefined && r.answeredStatus >= 429).length).toBeGreaterThan(0);

    await second.done;
    const delivery = { ...second, acknowledged: new Set([...first.acknowledged, ...second.acknowledged]) };
    const recovered = () => db().recovery.count({ where: { workspaceId: merchant.workspaceId, externalId: { in: [...soft] }, status: "recovered" } });
    await drained(rig, merchant, delivery, { timeoutMs: 360_000, settled: async () => (await recovered()) === soft.size });

    const { pays } = await expectNoneLostNoneDoubled(rig, merchant, delivery, { unknownAtMost: 0 });
    // Every planned retry charged once: one successful pay per soft invoice, none for the others.
    expect(pays.map((p) => p.path).sort()).toEqual([...soft].map((id) => `/v1/invoices/${id}/pay`).sort());
    const keys = new Set(rig.stripe.requestsTo("POST", /\/pay$/).filter((r) => r.stripeAccount === merchant.account).map((r) => r.idempotencyKey));
    expect(keys.size).toBe(soft.size);
    console.info(`stripe overloaded: ${during.length} requests answered 429/500, ${pays.length} invoices paid once each`);
  });
});
