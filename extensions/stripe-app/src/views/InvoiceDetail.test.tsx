import { Badge, Banner, Button, ContextView, Spinner } from "@stripe/ui-extension-sdk/ui";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hangingBackend, mockBackend, problem, settle } from "../../test/backend";
import { recoveries, timeline } from "../../test/fixtures";
import { getMockContextProps, render } from "../../test/sdk";
import InvoiceDetail from "./InvoiceDetail";

vi.mock("@stripe/ui-extension-sdk/utils", () => ({ fetchStripeSignature: vi.fn(async () => "t=1700000000,v1=signed") }));

afterEach(() => vi.unstubAllGlobals());

const onInvoice = (id = "in_1") => getMockContextProps({ environment: { viewportID: "stripe.dashboard.invoice.detail", objectContext: { id, object: "invoice" } } });

describe("InvoiceDetail", () => {
  it("shows a spinner while loading that invoice's recovery", async () => {
    const backend = hangingBackend();
    const { wrapper, update } = render(<InvoiceDetail {...onInvoice()} />);
    await settle(update);
    expect(wrapper).toContainComponent(ContextView, { title: "Payment recovery" });
    expect(wrapper).toContainComponent(Spinner);
    const [, init] = backend.fetchMock.mock.calls[0]!;
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    expect(body).toMatchObject({ invoice_id: "in_1" });
    expect(body).not.toHaveProperty("customer_id");
  });

  it("says so when the invoice has no recovery", async () => {
    mockBackend({ recoveries: { body: { recoveries: [], latest: null } } });
    const { wrapper, update } = render(<InvoiceDetail {...onInvoice()} />);
    await settle(update);
    expect(wrapper).toContainText("No failed payments for this invoice: nothing for Recoup to recover.");
  });

  it("shows the error", async () => {
    mockBackend({ recoveries: problem(401, "invalid_signature", "This signature does not match this user and account.") });
    const { wrapper, update } = render(<InvoiceDetail {...onInvoice()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Banner, { type: "critical", description: "This signature does not match this user and account." });
    expect(wrapper).toContainText("Try again");
  });

  it("shows a paused recovery with its timeline, and Resume calls the resume endpoint", async () => {
    const backend = mockBackend({
      recoveries: { body: recoveries({ latest: timeline({ paused: true }) }) },
      "recoveries/rec_1/resume": { body: timeline({ paused: false }) },
    });
    const { wrapper, update } = render(<InvoiceDetail {...onInvoice()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Badge, { type: "warning" });
    expect(wrapper).toContainText("Paused: no retry or email goes out until you resume.");
    expect(wrapper).toContainText("Stripe's original charge failed (insufficient funds)");
    expect(wrapper.findAll(Button).map((b) => b.text)).toEqual(["Retry now", "Resume"]);
    const resume = wrapper.findAll(Button).find((b) => b.text === "Resume")!;
    await resume.trigger("onPress");
    await settle(update);
    expect(backend.calls.map((c) => c.path)).toEqual(["recoveries", "recoveries/rec_1/resume"]);
    expect(wrapper).toContainComponent(Badge, { type: "info" });
    expect(wrapper).toContainText("Next: Retrying Thursday morning");
  });
});
