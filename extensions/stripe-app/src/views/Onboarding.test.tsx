import { Banner, Button, Link, OnboardingView, Spinner } from "@stripe/ui-extension-sdk/ui";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hangingBackend, mockBackend, problem, settle } from "../../test/backend";
import { settings } from "../../test/fixtures";
import { getMockContextProps, render } from "../../test/sdk";
import Onboarding from "./Onboarding";

vi.mock("@stripe/ui-extension-sdk/utils", () => ({ fetchStripeSignature: vi.fn(async () => "t=1700000000,v1=signed") }));

afterEach(() => vi.unstubAllGlobals());

type Wrapper = ReturnType<typeof render>["wrapper"];
const statuses = (wrapper: Wrapper) =>
  (wrapper.find(OnboardingView)!.prop("tasks") as Array<{ status: string }>).map((t) => t.status);

describe("Onboarding", () => {
  it("links the account first: a spinner while the backend answers", async () => {
    const backend = hangingBackend();
    const { wrapper, update } = render(<Onboarding {...getMockContextProps({ environment: { viewportID: "onboarding" } })} />);
    await settle(update);
    expect(wrapper).toContainComponent(Spinner);
    expect(wrapper).toContainComponent(OnboardingView, { title: "Set up Recoup", completed: false });
    expect(statuses(wrapper)).toEqual(["in-progress", "not-started", "not-started", "not-started"]);
    expect(backend.fetchMock.mock.calls[0]![0]).toBe("https://recoup.example.com/api/stripe-app/settings");
  });

  it("blocks on an error and tries again", async () => {
    let fail = true;
    const backend = mockBackend({ settings: () => (fail ? problem(503, "not_configured", "The Stripe Dashboard app is not configured: set STRIPE_APP_SECRET (see README).") : { body: settings() }) });
    const { wrapper, update } = render(<Onboarding {...getMockContextProps()} />);
    await settle(update);
    expect(statuses(wrapper)[0]).toBe("blocked");
    expect(wrapper).toContainComponent(Banner, { description: "The Stripe Dashboard app is not configured: set STRIPE_APP_SECRET (see README)." });
    fail = false;
    await wrapper.find(Button)!.trigger("onPress");
    await settle(update);
    expect(backend.calls).toHaveLength(2);
    expect(wrapper).toContainText('Recoup created the workspace "Acme" for this account.');
  });

  it("says when the account joined an existing workspace", async () => {
    mockBackend({ settings: { body: settings({ created: false }) } });
    const { wrapper, update } = render(<Onboarding {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainText('This account is linked to your Recoup workspace "Acme".');
  });

  it("walks through the four steps to completion", async () => {
    mockBackend({ settings: { body: settings() } });
    const { wrapper, update } = render(<Onboarding {...getMockContextProps()} />);
    await settle(update);
    const press = async (label: string) => {
      await wrapper.findAll(Button).find((b) => b.text === label)!.trigger("onPress");
      await settle(update);
    };
    expect(statuses(wrapper)).toEqual(["in-progress", "not-started", "not-started", "not-started"]);
    await press("Continue");
    expect(wrapper).toContainText("Up to 6 retries over 21 days");
    expect(statuses(wrapper)).toEqual(["complete", "in-progress", "not-started", "not-started"]);
    await press("Continue");
    expect(wrapper).toContainText("Smart Retries");
    await press("Continue");
    expect(wrapper).toContainComponent(Link, { href: "https://recoup.example.com/dashboard" });
    await press("Finish");
    expect(wrapper).toContainComponent(OnboardingView, { completed: true });
    expect(statuses(wrapper)).toEqual(["complete", "complete", "complete", "complete"]);
    expect(wrapper).not.toContainComponent(Button);
  });

  it("a done task can be opened again from the list", async () => {
    mockBackend({ settings: { body: settings() } });
    const { wrapper, update } = render(<Onboarding {...getMockContextProps()} />);
    await settle(update);
    await wrapper.find(Button)!.trigger("onPress");
    await settle(update);
    const tasks = wrapper.find(OnboardingView)!.prop("tasks") as Array<{ onPress?: () => void }>;
    expect(tasks[2]!.onPress).toBeUndefined();
    wrapper.act(() => tasks[0]!.onPress!());
    await settle(update);
    expect(wrapper).toContainText('Recoup created the workspace "Acme"');
  });
});
