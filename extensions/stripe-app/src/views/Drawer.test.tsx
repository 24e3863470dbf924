import { Badge, Banner, Button, ContextView, Link, Spinner } from "@stripe/ui-extension-sdk/ui";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hangingBackend, mockBackend, problem, settle, unreachableBackend } from "../../test/backend";
import { overview } from "../../test/fixtures";
import { getMockContextProps, render } from "../../test/sdk";
import Drawer from "./Drawer";

vi.mock("@stripe/ui-extension-sdk/utils", () => ({ fetchStripeSignature: vi.fn(async () => "t=1700000000,v1=signed") }));

afterEach(() => vi.unstubAllGlobals());

describe("Drawer", () => {
  it("shows a spinner while loading", async () => {
    const backend = hangingBackend();
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(backend.fetchMock).toHaveBeenCalledTimes(1);
    expect(wrapper).toContainComponent(ContextView, { title: "Recoup" });
    expect(wrapper).toContainComponent(Spinner);
  });

  it("asks the backend for the overview with the signed user and account", async () => {
    const backend = mockBackend({ overview: { body: overview() } });
    const { update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(backend.calls).toHaveLength(1);
    expect(backend.calls[0]).toMatchObject({
      path: "overview",
      body: { user_id: "usr_1234", account_id: "acct_1234", account_name: "Test Business", mode: "test" },
      headers: { "Stripe-Signature": "t=1700000000,v1=signed", "Content-Type": "application/json" },
    });
  });

  it("shows this month's numbers and the open recoveries", async () => {
    mockBackend({ overview: { body: overview({ hasMore: true, summary: { ...overview().summary, openCount: 21 } }) } });
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).not.toContainComponent(Spinner);
    expect(wrapper).toContainText("Payments that failed this month (USD)");
    expect(wrapper).toContainText("Recovered so far$400.00");
    expect(wrapper).toContainText("Failed$500.00");
    expect(wrapper).toContainText("Recovery rate80%");
    expect(wrapper).toContainText("Open recoveries21");
    expect(wrapper).toContainText("Subscriptions at risk3");
    expect(wrapper).toContainText("Grace Hopper$25.00");
    expect(wrapper).toContainComponent(Badge, { type: "info" });
    expect(wrapper).toContainText("Retrying Thursday morning, just after payday.");
    expect(wrapper).toContainComponent(Link, { href: { name: "invoiceDetails", params: { invoiceId: "in_1" } } });
    expect(wrapper).toContainText("Showing the newest 1 of 21.");
  });

  it("names a Shopify recovery (in a workspace that has both) in words, without a Stripe invoice link", async () => {
    const base = overview();
    const shopify = { ...base.openRecoveries[0]!, stripeInvoiceId: "shopify:7001:1", reference: { title: "Contract #7001, billing attempt #1", subtitle: "Shopify customer #42" } };
    mockBackend({ overview: { body: overview({ openRecoveries: [shopify] }) } });
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainText("Contract #7001, billing attempt #1");
    expect(wrapper).not.toContainComponent(Link, { href: { name: "invoiceDetails", params: { invoiceId: "shopify:7001:1" } } });
  });

  it("marks a paused recovery and a disconnected account", async () => {
    const base = overview();
    mockBackend({ overview: { body: overview({ connected: false, openRecoveries: [{ ...base.openRecoveries[0]!, paused: true }] }) } });
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Badge, { type: "warning" });
    expect(wrapper).toContainText("Paused");
    expect(wrapper).toContainComponent(Banner, { type: "caution", title: "Recoup is disconnected from this account" });
  });

  it("says so when nothing is being recovered", async () => {
    mockBackend({ overview: { body: overview({ openRecoveries: [], summary: { ...overview().summary, openCount: 0 } }) } });
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainText("No failed payments to recover right now.");
    expect(wrapper).not.toContainComponent(Badge);
  });

  it("shows the backend's refusal and tries again on request", async () => {
    let fail = true;
    const backend = mockBackend({
      overview: () => (fail ? problem(401, "invalid_signature", "This signature has expired (older than 5 minutes). Reload the app and try again.") : { body: overview() }),
    });
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Banner, {
      type: "critical",
      description: "This signature has expired (older than 5 minutes). Reload the app and try again.",
    });
    fail = false;
    await wrapper.find(Button)!.trigger("onPress");
    await settle(update);
    expect(backend.calls).toHaveLength(2);
    expect(wrapper).not.toContainComponent(Banner);
    expect(wrapper).toContainText("Grace Hopper");
  });

  it("says when the backend cannot be reached", async () => {
    unreachableBackend();
    const { wrapper, update } = render(<Drawer {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Banner, { description: "Recoup could not be reached. Check your connection and try again." });
  });
});
