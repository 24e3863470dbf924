import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { deliver, drained, expectNoneLostNoneDoubled, failureEvents, merchantWithInvoices, paidOnHostedPage, redeliveredAndShuffled, seeded, useFaultRig } from "./rig";

// Stripe delivers at least once and in no particular order: every event two or three times, the
// whole stream shuffled (fixed seed), posted eight at a time into the web process while the worker runs.
const rig = useFaultRig("duplicates");

describe("a stream of redelivered, shuffled webhooks", () => {
  it("opens one recovery per invoice, asks each customer once, and sends each email at most once", async () => {
    const random = seeded(11);
    // Hard declines email the customer at once; every fifth customer then pays on Stripe's page, so
    // that the shuffle puts `invoice.paid` before its failure as often as after it.
    const merchant = await merchantWithInvoices(rig, { count: 100, decline: () => "hard" });
    const events = failureEvents(rig, merchant);
    const paid = merchant.invoices.filter((_, i) => i % 5 === 0).map((invoice) => paidOnHostedPage(rig, merchant, invoice));
    const stream = redeliveredAndShuffled([...events, ...paid], random);
    expect(stream.length).toBeGreaterThanOrEqual(2 * (events.length + paid.length));

    const delivery = deliver(rig, stream);
    await delivery.done;
    expect(delivery.acknowledged.size).toBe(events.length + paid.length);
    await drained(rig, merchant, delivery, { timeoutMs: 240_000 });

    const { mail } = await expectNoneLostNoneDoubled(rig, merchant, delivery, { unknownAtMost: 0 });
    // Each event stored once, whatever the number of deliveries.
    expect(await db().stripeEvent.count({ where: { stripeAccountId: merchant.account } })).toBe(events.length + paid.length);
    // Every customer who did not pay got their one email, and it arrived once.
    const unpaid = merchant.invoices.filter((i) => !i.paid).length;
    expect(mail.byStatus.sent ?? 0).toBeGreaterThanOrEqual(unpaid);
    expect(mail.distinctReceived).toBe(mail.received);
    console.info(`duplicates: ${stream.length} posts of ${delivery.acknowledged.size} events, ${mail.received} emails received, by status ${JSON.stringify(mail.byStatus)}`);
  });
});
