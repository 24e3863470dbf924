import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { deliver, drained, expectNoneLostNoneDoubled, expireRunsStartedBefore, failureEvents, mailState, merchantWithInvoices, redeliveredAndShuffled, seeded, useFaultRig, waitUntil } from "./rig";

// PostgreSQL restarted under load: the client, as Stripe does, redelivers every post not answered 2xx.
const rig = useFaultRig("database-restart");

const COUNT = 200;
const ARRIVED_BEFORE_RESTART = 10;
const DUE_AFTER_RESTART = 50;

describe("PostgreSQL restarted mid-load", () => {
  it("loses nothing acknowledged, doubles nothing, and records `sent` for the email whose 250 came while it was down", async () => {
    const merchant = await merchantWithInvoices(rig, { count: COUNT, decline: () => "hard" });
    const delivery = deliver(rig, redeliveredAndShuffled(failureEvents(rig, merchant), seeded(37)));

    await waitUntil("the first emails arrived", async () => (await mailState(rig, merchant)).received >= ARRIVED_BEFORE_RESTART, 240_000);
    // A send is in its SMTP exchange when the database goes: its 250 comes while the database is down.
    const held = rig.smtp.hold();
    const inExchange = await held.arrived;
    const before = await mailState(rig, merchant);
    expect(COUNT - before.received).toBeGreaterThanOrEqual(DUE_AFTER_RESTART);
    const stoppedAt = new Date();
    await rig.stopDatabase();
    held.release();
    await new Promise((r) => setTimeout(r, 3_000)); // posts answered 503 meanwhile, and redelivered
    await rig.startDatabase();
    for (const p of [...rig.workers]) expect(p.alive()).toBe(true);

    const messageId = /^<(.+)@recoup>$/.exec(inExchange.messageId!)![1]!;
    await waitUntil("the email taken during the outage recorded", async () => (await db().dunningMessage.findUnique({ where: { id: messageId } }))?.status === "sent", 60_000);
    // Runs whose end the database never heard of (their jobs stay active) run again after their expiry.
    await new Promise((r) => setTimeout(r, 5_000));
    await expireRunsStartedBefore(rig, stoppedAt);
    await delivery.done;
    await drained(rig, merchant, delivery, { timeoutMs: 300_000 });

    const { mail } = await expectNoneLostNoneDoubled(rig, merchant, delivery, { unknownAtMost: 0 });
    expect(rig.smtp.countsByMessageId().get(inExchange.messageId!)).toBe(1);
    expect(delivery.redelivered).toBeGreaterThan(0);
    console.info(`database restart: ${before.received} emails before, ${mail.received} in all, ${delivery.redelivered} posts redelivered`);
  });
});
