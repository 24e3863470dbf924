import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { deliver, drained, expectNoneLostNoneDoubled, expireRunsStartedBefore, failureEvents, mailState, merchantWithInvoices, redeliveredAndShuffled, seeded, useFaultRig } from "./rig";
import { waitUntil } from "../helpers/wait";

// PostgreSQL restarted under load: the client, as Stripe does, redelivers every post not answered 2xx.
const rig = useFaultRig("database-restart");

const COUNT = 120;
/** As in worker-killed.test.ts: this many emails through, then every sender stalls before its 250. */
const THROUGH_BEFORE_RESTART = 10;
const DUE_AFTER_RESTART = 50;
const LATE = 20;

describe("PostgreSQL restarted mid-load", () => {
  it("loses nothing acknowledged, doubles nothing, and records `sent` for the emails whose 250 came while it was down", async () => {
    const merchant = await merchantWithInvoices(rig, { count: COUNT, decline: () => "hard" });
    const paused = rig.smtp.pauseAfter(THROUGH_BEFORE_RESTART);
    const random = seeded(37);
    const events = failureEvents(rig, merchant);
    // Most events arrive before the restart; the last ones while the database is down (answered 503
    // or not at all, and redelivered until they are stored).
    const first = deliver(rig, redeliveredAndShuffled(events.slice(0, COUNT - LATE), random));

    await paused.arrived;
    await new Promise((r) => setTimeout(r, 1_000));
    const before = await mailState(rig, merchant);
    const received = rig.smtp.countsByMessageId();
    const inExchange = before.rows.filter((m) => m.status === "sending" && received.has(`<${m.id}@recoup>`)).map((m) => m.id);
    expect(inExchange.length).toBeGreaterThanOrEqual(1);
    expect(COUNT - before.received).toBeGreaterThanOrEqual(DUE_AFTER_RESTART);

    // The database goes; the SMTP server then answers 250 to every stalled send.
    const stoppedAt = new Date();
    await rig.stopDatabase();
    const late = deliver(rig, redeliveredAndShuffled(events.slice(COUNT - LATE), random));
    paused.resume();
    await new Promise((r) => setTimeout(r, 3_000)); // posts answered 503 meanwhile, and redelivered
    await rig.startDatabase();
    for (const p of rig.workers) expect(p.alive()).toBe(true);

    await waitUntil(
      "the emails taken during the outage recorded sent",
      async () => (await db().dunningMessage.count({ where: { id: { in: inExchange }, status: "sent" } })) === inExchange.length,
      60_000,
      () => db().dunningMessage.findMany({ where: { id: { in: inExchange } }, select: { status: true } }),
    );
    // Runs whose end the database never heard of (their jobs stay active) run again after their expiry.
    await new Promise((r) => setTimeout(r, 5_000));
    await expireRunsStartedBefore(rig, stoppedAt);
    await Promise.all([first.done, late.done]);
    const delivery = { ...late, acknowledged: new Set([...first.acknowledged, ...late.acknowledged]), redelivered: first.redelivered + late.redelivered };
    expect(late.redelivered).toBeGreaterThan(0);
    await drained(rig, merchant, delivery, { timeoutMs: 300_000 });

    const { mail } = await expectNoneLostNoneDoubled(rig, merchant, delivery, { unknownAtMost: 0 });
    for (const id of inExchange) expect(rig.smtp.countsByMessageId().get(`<${id}@recoup>`)).toBe(1);
    console.info(
      `database restart: ${before.received} emails received before, ${inExchange.length} answered 250 while it was down, ` +
        `${mail.received} in all for ${COUNT} customers, ${delivery.redelivered} posts redelivered`,
    );
  });
});
