// Pre-dunning end to end (issue 12, ADR 0074): Stripe tells Recoup about cards and their expiry
// (PaymentMethod events, a legacy card's `customer.source.expiring`); an active card_expiring
// campaign emails the customers whose card expires this month or next, over SMTP, in step order;
// a card the network updater refreshed gets nothing more; the email's link opens Stripe's own
// card-update flow for that customer.
import { describe, expect, it } from "vitest";
import { createFromTemplate, transition } from "~/domain/campaigns/campaigns.server";
import * as cardPage from "~/routes/card.$token";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../jobs/queues";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const DAY = 86_400_000;
const env = useStripeAndMail();

const mailsTo = (address: string) => env.smtp.messages.filter((m) => (m.to as { text: string }).text.includes(address));

function paymentMethod(id: string, customer: string, exp: { month: number; year: number }, email?: string) {
  return { id, object: "payment_method", type: "card", customer, card: { brand: "visa", last4: "4242", exp_month: exp.month, exp_year: exp.year }, billing_details: { email: email ?? null, name: null } };
}

describe("pre-dunning for expiring cards", () => {
  it("emails the customers whose card expires soon, in step order; skips refreshed and far-off cards; the link opens Stripe's update flow", async () => {
    testClock.set(new Date("2026-11-10T09:00:00Z"));
    const m = await merchantWithOpenInvoice(env.stripe);
    const campaign = await createFromTemplate({ workspaceId: m.workspace.id, templateId: "tmpl_pre_dunning", name: "Cards expiring" });
    await transition({ workspaceId: m.workspace.id, id: campaign.id, command: "activate" });

    for (const [id, email] of [["cus_soon", "soon@example.com"], ["cus_far", "far@example.com"], ["cus_refreshed", "refreshed@example.com"], ["cus_later", "later@example.com"], ["cus_legacy", "legacy@example.com"]] as const) {
      env.stripe.putCustomer(m.account, { id, email, name: `Customer ${id}` });
    }
    // Expires at the end of November: due. 2028: not. December, but the network updater refreshes it to 2029.
    await deliver(eventOf("payment_method.attached", paymentMethod("pm_soon", "cus_soon", { month: 11, year: 2026 }), { account: m.account }));
    await deliver(eventOf("payment_method.attached", paymentMethod("pm_far", "cus_far", { month: 5, year: 2028 }), { account: m.account }));
    await deliver(eventOf("payment_method.attached", paymentMethod("pm_refreshed", "cus_refreshed", { month: 12, year: 2026 }, "billing@refreshed.example"), { account: m.account }));
    await deliver(eventOf("payment_method.automatically_updated", paymentMethod("pm_refreshed", "cus_refreshed", { month: 12, year: 2029 }), { account: m.account }));
    await deliver(eventOf("payment_method.attached", paymentMethod("pm_later", "cus_later", { month: 12, year: 2026 }), { account: m.account }));
    await runDueJobs();
    expect(await db().cardExpiry.count({ where: { workspaceId: m.workspace.id } })).toBe(4);

    // The daily sweep enrolls the two cards that expire this month or next.
    await enqueue(queues.preDunningSweep, {}, { key: "sweep-test-1" });
    await runDueJobs();
    const first = mailsTo("soon@example.com");
    expect(first.map((mail) => mail.subject)).toEqual([`Your card for ${m.workspace.name} expires soon`]);
    expect(first[0]!.text).toContain("expires at the end of November 2026");
    expect(mailsTo("later@example.com")).toHaveLength(1);
    expect(mailsTo("far@example.com")).toHaveLength(0);
    expect(mailsTo("refreshed@example.com")).toHaveLength(0);
    expect(mailsTo("billing@refreshed.example")).toHaveLength(0);

    // A second sweep the next day enrolls nobody twice.
    await enqueue(queues.preDunningSweep, {}, { key: "sweep-test-2" });
    await runDueJobs();
    expect(mailsTo("soon@example.com")).toHaveLength(1);

    // cus_later's card is refreshed by the network before the reminder: the reminder does not go.
    await deliver(eventOf("payment_method.automatically_updated", paymentMethod("pm_later", "cus_later", { month: 12, year: 2030 }), { account: m.account }));
    await runDueJobs();
    await advanceTime(7 * DAY + 60_000);
    await runDueJobs();
    expect(mailsTo("soon@example.com").map((mail) => mail.subject)).toEqual([`Your card for ${m.workspace.name} expires soon`, `Reminder: update your card for ${m.workspace.name}`]);
    expect(mailsTo("later@example.com")).toHaveLength(1);
    const later = await db().campaignEnrollment.findFirstOrThrow({ where: { campaignId: campaign.id, expiry: "2026-12", currentStep: 1, endReason: "card_refreshed" } });
    expect(later).toMatchObject({ status: "exited", endReason: "card_refreshed", currentStep: 1 });

    // The link: a page about the card, whose button opens Stripe's payment-method update flow for that customer.
    const link = first[0]!.text!.match(/\/card\/([\w.-]+)/)![1]!;
    const page = await cardPage.loader({ request: new Request(`http://localhost/card/${link}`), params: { token: link }, context: {} });
    expect(page).toMatchObject({ merchant: m.workspace.name, brand: "visa", last4: "4242", expires: "November 2026", updated: false });
    const pressed = (await cardPage.action({ request: new Request(`http://localhost/card/${link}`, { method: "POST" }), params: { token: link }, context: {} })) as Response;
    expect(pressed.status).toBe(302);
    const portal = env.stripe.requestsTo("POST", "/v1/billing_portal/sessions").at(-1)!;
    expect(portal.body).toMatchObject({ customer: "cus_soon", flow_data: { type: "payment_method_update" } });
    expect(pressed.headers.get("location")).toMatch(/\/fake-portal\/bps_/);
    await expect(cardPage.loader({ request: new Request("http://localhost/card/forged"), params: { token: "forged" }, context: {} })).rejects.toMatchObject({ init: { status: 404 } });

    // A legacy card's customer.source.expiring: kept, and this workspace is swept at once.
    await deliver(eventOf("customer.source.expiring", { id: "card_legacy", object: "card", customer: "cus_legacy", exp_month: 12, exp_year: 2026, brand: "Visa", last4: "0005" }, { account: m.account }));
    await runDueJobs();
    expect(mailsTo("legacy@example.com").map((mail) => mail.subject)).toEqual([`Your card for ${m.workspace.name} expires soon`]);
  });
});
