import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { deliver, drained, expectNoneLostNoneDoubled, expireRunsStartedBefore, failureEvents, mailState, merchantWithInvoices, redeliveredAndShuffled, seeded, useFaultRig, waitUntil } from "./rig";

// `kill -9` of the worker in the middle of a batch, then a new worker.
const rig = useFaultRig("worker-killed");

const COUNT = 200;
/** The kill lands mid-batch: at least this many emails arrived, and at least as many still due. */
const ARRIVED_BEFORE_KILL = 10;
const DUE_AFTER_KILL = 50;

describe("the worker killed (SIGKILL) mid-batch", () => {
  it("loses nothing acknowledged, doubles nothing, and never sends an email twice: the one cut off is delivery_unknown", async () => {
    const merchant = await merchantWithInvoices(rig, { count: COUNT, decline: () => "hard" });
    const delivery = deliver(rig, redeliveredAndShuffled(failureEvents(rig, merchant), seeded(23)));

    // Mid-batch, and mid-send: the SMTP server has the next message's data and withholds its 250,
    // the window in which ADR 0003's protocol sent a message twice.
    await waitUntil("the first emails arrived", async () => (await mailState(rig, merchant)).received >= ARRIVED_BEFORE_KILL, 240_000);
    const held = rig.smtp.hold();
    const cutOff = await held.arrived;
    const worker = rig.workers.at(-1)!;
    worker.child.kill("SIGKILL");
    await worker.exited;
    const killedAt = new Date();
    held.release();

    const atKill = await mailState(rig, merchant);
    const messageId = /^<(.+)@recoup>$/.exec(cutOff.messageId!)![1]!;
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "sending" });
    const inFlight = atKill.byStatus.sending ?? 0;
    // Enough left for the new worker that the kill landed mid-batch (a faster worker needs a bigger COUNT).
    expect(COUNT - atKill.received).toBeGreaterThanOrEqual(DUE_AFTER_KILL);

    await rig.startWorker();
    // The dead worker's jobs run again once their expiry passes (moved back here, not waited for).
    await expireRunsStartedBefore(rig, killedAt);
    await delivery.done;
    await drained(rig, merchant, delivery, { timeoutMs: 300_000 });

    const { mail, unknown } = await expectNoneLostNoneDoubled(rig, merchant, delivery, { unknownAtMost: inFlight });
    // The message the SMTP server took while its sender died: received once, not sent again.
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "delivery_unknown", attempts: 1 });
    expect(rig.smtp.countsByMessageId().get(cutOff.messageId!)).toBe(1);
    console.info(`worker killed: ${atKill.received} emails before the kill, ${inFlight} in flight, ${mail.received} in all; ${unknown} delivery_unknown; ${delivery.redelivered} posts redelivered`);
  });
});
