import { Badge, Banner, Button, ContextView, Link, Spinner } from "@stripe/ui-extension-sdk/ui";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hangingBackend, mockBackend, problem, settle } from "../../test/backend";
import { recoveries, timeline } from "../../test/fixtures";
import { getMockContextProps, render } from "../../test/sdk";
import CustomerDetail from "./CustomerDetail";

vi.mock("@stripe/ui-extension-sdk/utils", () => ({ fetchStripeSignature: vi.fn(async () => "t=1700000000,v1=signed") }));

afterEach(() => vi.unstubAllGlobals());

const onCustomer = (id = "cus_1") => getMockContextProps({ environment: { viewportID: "stripe.dashboard.customer.detail", objectContext: { id, object: "customer" } } });

function button(wrapper: ReturnType<typeof render>["wrapper"], label: string) {
  const found = wrapper.findAll(Button).find((b) => b.text === label);
  if (!found) throw new Error(`no button "${label}" in ${wrapper.text}`);
  return found;
}

describe("CustomerDetail", () => {
  it("shows a spinner while loading that customer's recoveries", async () => {
    const backend = hangingBackend();
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    expect(wrapper).toContainComponent(ContextView, { title: "Payment recovery" });
    expect(wrapper).toContainComponent(Spinner);
    const [url, init] = backend.fetchMock.mock.calls[0]!;
    expect(url).toBe("https://recoup.example.com/api/stripe-app/recoveries");
    expect(JSON.parse(String(init?.body))).toMatchObject({ user_id: "usr_1234", account_id: "acct_1234", customer_id: "cus_1" });
  });

  it("says so when the customer has no recoveries", async () => {
    mockBackend({ recoveries: { body: { recoveries: [], latest: null } } });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    expect(wrapper).toContainText("No failed payments for this customer: nothing for Recoup to recover.");
    expect(wrapper).not.toContainComponent(Button);
  });

  it("shows the error and tries again", async () => {
    let fail = true;
    const backend = mockBackend({ recoveries: () => (fail ? problem(503, "not_configured", "The Stripe Dashboard app is not configured: set STRIPE_APP_SECRET (see README).") : { body: recoveries() }) });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Banner, { type: "critical", description: "The Stripe Dashboard app is not configured: set STRIPE_APP_SECRET (see README)." });
    fail = false;
    await button(wrapper, "Try again").trigger("onPress");
    await settle(update);
    expect(backend.calls).toHaveLength(2);
    expect(wrapper).toContainText("Retry now");
  });

  it("shows the status, what happens next and the timeline", async () => {
    mockBackend({ recoveries: { body: recoveries() } });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Badge, { type: "info" });
    expect(wrapper).toContainText("Recovering");
    expect(wrapper).toContainText("$25.00");
    expect(wrapper).toContainComponent(Link, { href: { name: "invoiceDetails", params: { invoiceId: "in_1" } } });
    expect(wrapper).toContainText("Card visa •••• 4242");
    expect(wrapper).toContainText("Why it failed: Your bank declined the payment because the card's balance was too low.");
    expect(wrapper).toContainText("Next: Retrying Thursday morning, just after payday. (Nov 12, 09:00 AM UTC)");
    expect(wrapper).toContainText("Stripe's original charge failed (insufficient funds)");
    expect(wrapper).toContainText(`Email "Your payment didn't go through" sent, opened`);
    expect(wrapper.findAll(Button).map((b) => b.text)).toEqual(["Retry now", "Pause"]);
  });

  it("Retry now calls the retry endpoint for the latest recovery and shows the new plan", async () => {
    const retried = timeline({ nextAction: { kind: "retry", at: "2026-11-10T15:00:00.000Z", reason: "Retrying now, as requested by the merchant." } });
    const backend = mockBackend({ recoveries: { body: recoveries() }, "recoveries/rec_1/retry": { body: retried } });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    await button(wrapper, "Retry now").trigger("onPress");
    await settle(update);
    expect(backend.calls.map((c) => c.path)).toEqual(["recoveries", "recoveries/rec_1/retry"]);
    expect(backend.calls[1]!.body).toMatchObject({ user_id: "usr_1234", account_id: "acct_1234" });
    expect(backend.calls[1]!.headers).toMatchObject({ "Stripe-Signature": "t=1700000000,v1=signed" });
    expect(wrapper).toContainText("Next: Retrying now, as requested by the merchant.");
  });

  it("Pause calls the pause endpoint, then offers Resume", async () => {
    const backend = mockBackend({
      recoveries: { body: recoveries() },
      "recoveries/rec_1/pause": { body: timeline({ paused: true }) },
      "recoveries/rec_1/resume": { body: timeline({ paused: false }) },
    });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    await button(wrapper, "Pause").trigger("onPress");
    await settle(update);
    expect(wrapper).toContainText("Paused: no retry or email goes out until you resume.");
    expect(wrapper).toContainComponent(Badge, { type: "warning" });
    expect(wrapper.findAll(Button).map((b) => b.text)).toEqual(["Retry now", "Resume"]);
    await button(wrapper, "Resume").trigger("onPress");
    await settle(update);
    expect(backend.calls.map((c) => c.path)).toEqual(["recoveries", "recoveries/rec_1/pause", "recoveries/rec_1/resume"]);
    expect(wrapper.findAll(Button).map((b) => b.text)).toEqual(["Retry now", "Pause"]);
  });

  it("shows a refusal in the backend's words and keeps the recovery shown", async () => {
    mockBackend({
      recoveries: { body: recoveries() },
      "recoveries/rec_1/retry": problem(409, "conflict", "Not retried: the card was reported stolen."),
    });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    await button(wrapper, "Retry now").trigger("onPress");
    await settle(update);
    expect(wrapper).toContainComponent(Banner, { title: "Not done", description: "Not retried: the card was reported stolen." });
    expect(wrapper).toContainText("Recovering");
  });

  it("offers no actions on a closed recovery and lists the earlier ones", async () => {
    const closed = { ...recoveries().recoveries[0]!, status: "recovered" as const, recoveredAmountCents: 2500, endedAt: "2026-11-11T00:00:00.000Z" };
    const earlier = { ...closed, id: "rec_0", stripeInvoiceId: "in_0", status: "failed" as const };
    mockBackend({ recoveries: { body: { recoveries: [closed, earlier], latest: timeline({ attempt: closed, nextAction: null }) } } });
    const { wrapper, update } = render(<CustomerDetail {...onCustomer()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Badge, { type: "positive" });
    expect(wrapper).not.toContainComponent(Button);
    expect(wrapper).toContainText("Earlier recoveries");
    expect(wrapper).toContainText("Not recovered");
    expect(wrapper).toContainComponent(Link, { href: { name: "invoiceDetails", params: { invoiceId: "in_0" } } });
  });

  it("asks for a customer when the page gives none", async () => {
    const backend = hangingBackend();
    const { wrapper, update } = render(<CustomerDetail {...onCustomer("")} />);
    await settle(update);
    expect(wrapper).toContainText("Open a customer to see its recoveries.");
    expect(backend.fetchMock).not.toHaveBeenCalled();
  });
});
