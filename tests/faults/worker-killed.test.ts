import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { deliver, drained, expectNoneLostNoneDoubled, expireRunsStartedBefore, failureEvents, mailState, merchantWithInvoices, redeliveredAndShuffled, seeded, useFaultRig } from "./rig";

// `kill -9` of the worker in the middle of a batch, then a new worker.
const rig = useFaultRig("worker-killed");

const COUNT = 120;
/**
 * How the kill lands mid-batch and mid-send, whatever the worker's speed: the SMTP server lets this
 * many emails through, then keeps each further message and withholds its 250, so every sending lane
 * of the worker stalls inside its SMTP exchange (the window in which ADR 0003 sent a message twice).
 */
const THROUGH_BEFORE_KILL = 10;
const DUE_AFTER_KILL = 50;

describe("the worker killed (SIGKILL) mid-batch", () => {
  it("loses nothing acknowledged, doubles nothing, and never sends an email twice: those cut off are delivery_unknown", async () => {
    const merchant = await merchantWithInvoices(rig, { count: COUNT, decline: () => "hard" });
    const paused = rig.smtp.pauseAfter(THROUGH_BEFORE_KILL);
    const delivery = deliver(rig, redeliveredAndShuffled(failureEvents(rig, merchant), seeded(23)));

    await paused.arrived;
    await new Promise((r) => setTimeout(r, 1_000)); // the worker's other lanes reach the stalled server too
    const worker = rig.workers.at(-1)!;
    worker.child.kill("SIGKILL");
    await worker.exited;
    const killedAt = new Date();

    const atKill = await mailState(rig, merchant);
    const received = rig.smtp.countsByMessageId();
    // Claimed, handed over, and the sender gone before the 250: the cases a retry used to send again.
    const cutOff = atKill.rows.filter((m) => m.status === "sending" && received.has(`<${m.id}@recoup>`)).map((m) => m.id);
    expect(cutOff.length).toBeGreaterThanOrEqual(1);
    const inFlight = atKill.byStatus.sending ?? 0;
    expect(COUNT - atKill.received).toBeGreaterThanOrEqual(DUE_AFTER_KILL);
    paused.resume();

    await rig.startWorker();
    // The dead worker's jobs run again once their expiry passes (moved back here, not waited for).
    await expireRunsStartedBefore(rig, killedAt);
    await delivery.done;
    await drained(rig, merchant, delivery, { timeoutMs: 300_000 });

    const { mail, unknown } = await expectNoneLostNoneDoubled(rig, merchant, delivery, { unknownAtMost: inFlight });
    // Each message the SMTP server took while its sender died: received once, not sent again.
    const after = await db().dunningMessage.findMany({ where: { id: { in: cutOff } }, select: { status: true, attempts: true } });
    expect(after).toEqual(cutOff.map(() => ({ status: "delivery_unknown", attempts: 1 })));
    for (const id of cutOff) expect(rig.smtp.countsByMessageId().get(`<${id}@recoup>`)).toBe(1);
    console.info(
      `worker killed: ${atKill.received} emails received before the kill, ${inFlight} sends in flight (${cutOff.length} of them received), ` +
        `${mail.received} emails in all for ${COUNT} customers; ${unknown} delivery_unknown; ${delivery.redelivered} posts redelivered`,
    );
  });
});
