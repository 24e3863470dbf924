import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { advanceTime, pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { useStripeAndMail } from "../../../tests/helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf } from "../../../tests/helpers/stripe";
import { quietHoursEnd } from "~/domain/recovery/quiet-hours";
import { zoneOf } from "~/utils/customer-zone";
import { updateQuietHours, updateRetryPolicy } from "./settings.server";

const env = useStripeAndMail();
const HOUR = 3_600_000;

describe("quietHoursEnd", () => {
  it("is the top of the first hour after quiet hours, in the zone given; null outside them", () => {
    const quiet = { start: 21, end: 8 };
    expect(quietHoursEnd(new Date("2026-06-09T21:30:00Z"), quiet, "Europe/Paris")?.toISOString()).toBe("2026-06-10T06:00:00.000Z");
    expect(quietHoursEnd(new Date("2026-06-10T05:59:00Z"), quiet, "Europe/Paris")?.toISOString()).toBe("2026-06-10T06:00:00.000Z");
    expect(quietHoursEnd(new Date("2026-06-10T06:00:00Z"), quiet, "Europe/Paris")).toBeNull();
    expect(quietHoursEnd(new Date("2026-06-09T18:59:00Z"), quiet, "Europe/Paris")).toBeNull();
    expect(quietHoursEnd(new Date("2026-06-09T12:30:00Z"), { start: 12, end: 14 }, "UTC")?.toISOString()).toBe("2026-06-09T14:00:00.000Z");
    expect(quietHoursEnd(new Date("2026-06-09T22:00:00Z"), null, "UTC")).toBeNull();
    // Across the spring-forward night (Paris, 29 March 2026: 02:00 becomes 03:00).
    expect(quietHoursEnd(new Date("2026-03-29T00:30:00Z"), { start: 1, end: 4 }, "Europe/Paris")?.toISOString()).toBe("2026-03-29T02:00:00.000Z");
  });

  it("reads the customer's timezone when known and valid, else the workspace's, else UTC", () => {
    expect(zoneOf("Asia/Tokyo", "Europe/Paris")).toBe("Asia/Tokyo");
    expect(zoneOf(null, "Europe/Paris")).toBe("Europe/Paris");
    expect(zoneOf("Not/AZone", "Europe/Paris")).toBe("Europe/Paris");
    expect(zoneOf(null, "nope")).toBe("UTC");
  });
});

describe("quiet hours are enforced by the scheduler", () => {
  it("holds a dunning email and a retry charge due inside quiet hours until they end, in the workspace's timezone", async () => {
    // 22:30 in Paris (UTC+2 in June): quiet hours 21:00–08:00 have begun.
    const failedAt = new Date("2026-06-09T20:30:00Z");
    testClock.set(failedAt);
    const m = await merchantWithOpenInvoice(env.stripe, { amount: 3900, email: "night.owl@example.com" });
    await updateQuietHours({ workspaceId: m.workspace.id, quietHours: { start: 21, end: 8 }, timezone: "Europe/Paris" });
    // Any hour is a retry hour, so that only quiet hours keep the charge out of the night.
    await updateRetryPolicy({ workspaceId: m.workspace.id, patch: { preferredLocalHours: [0, 24], paydayAware: false } });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();

    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    // Due a day after the failure (22:30 Paris, quiet): planned for 08:00 Paris the morning after.
    expect(recovery.nextActionKind).toBe("retry");
    expect(recovery.nextActionAt?.toISOString()).toBe("2026-06-11T06:00:00.000Z");

    const quietNow = () => {
      const hour = DateTime.fromJSDate(now(), { zone: "Europe/Paris" }).hour;
      return hour >= 21 || hour < 8;
    };
    const mailsTo = () => env.smtp.recipients.filter((to) => to.includes("night.owl@example.com")).length;
    const charges = () => env.stripe.requestsTo("POST", /\/invoices\/[^/]+\/pay$/).length;

    // Hour by hour over four days, doing whatever is due, as the worker would: nothing is sent or
    // charged while it is quiet in Paris.
    let firstMailAt: Date | null = null;
    let firstChargeAt: Date | null = null;
    // The first two retries decline too, so the recovery stays open for its first email.
    for (let k = 0; k < 2; k++) env.stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
    for (let h = 0; h < 96; h++) {
      const [mails, paid] = [mailsTo(), charges()];
      await advanceTime(HOUR);
      await runDueJobs();
      if (mailsTo() > mails) {
        expect(quietNow(), `email sent at ${now().toISOString()}`).toBe(false);
        firstMailAt ??= now();
      }
      if (charges() > paid) {
        expect(quietNow(), `charged at ${now().toISOString()}`).toBe(false);
        firstChargeAt ??= now();
      }
    }
    // The first email was due on day 3 at 22:30 Paris (quiet): it waited for the morning and for the
    // retry due then (08:00 Paris, 13 June), going two hours after it, with the first run after 10:00.
    expect(firstMailAt?.toISOString()).toBe("2026-06-13T08:30:00.000Z");
    const message = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id, kind: "sequence" }, orderBy: { createdAt: "asc" } });
    expect(message).toMatchObject({ scheduledFor: new Date("2026-06-13T08:30:00.000Z"), sentAt: new Date("2026-06-13T08:30:00.000Z") });
    expect(firstChargeAt?.toISOString()).toBe("2026-06-11T06:30:00.000Z");
    expect(charges()).toBe(2); // 11 June and 13 June, both at 08:30 Paris
    expect(await pendingJobs("dunning-send")).toEqual([]);
    testClock.reset();
  });

  it("holds a retry planned before quiet hours were set until they end", async () => {
    testClock.set(new Date("2026-06-09T22:30:00Z"));
    const m = await merchantWithOpenInvoice(env.stripe, { email: null });
    await updateRetryPolicy({ workspaceId: m.workspace.id, patch: { preferredLocalHours: [0, 24], paydayAware: false } });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const planned = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    expect(planned.nextActionAt?.toISOString()).toBe("2026-06-10T22:30:00.000Z");
    // Set afterwards: the planned time is now inside them.
    await updateQuietHours({ workspaceId: m.workspace.id, quietHours: { start: 21, end: 8 }, timezone: "UTC" });

    const charges = () => env.stripe.requestsTo("POST", new RegExp(`/invoices/${m.invoiceId}/pay$`)).length;
    let chargedAt: Date | null = null;
    for (let h = 0; h < 48 && !chargedAt; h++) {
      await advanceTime(HOUR);
      await runDueJobs();
      if (charges() > 0) chargedAt = now();
    }
    expect(chargedAt?.toISOString()).toBe("2026-06-11T08:30:00.000Z");
    testClock.reset();
  });

  it("does not hold an email the merchant sends on purpose", async () => {
    testClock.set(new Date("2026-06-09T22:00:00Z"));
    const m = await merchantWithOpenInvoice(env.stripe, { email: "manual.send@example.com" });
    await updateQuietHours({ workspaceId: m.workspace.id, quietHours: { start: 21, end: 8 }, timezone: "UTC" });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    const { sendUpdateLinkNow } = await import("~/domain/card-update/manual-send.server");
    await sendUpdateLinkNow({ workspaceId: m.workspace.id, recoveryId: recovery.id });
    await runDueJobs();
    expect(env.smtp.recipients.filter((to) => to.includes("manual.send@example.com"))).toHaveLength(1);
    testClock.reset();
  });
});
