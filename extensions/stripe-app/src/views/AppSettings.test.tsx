import { Banner, Button, Link, SettingsView, Spinner } from "@stripe/ui-extension-sdk/ui";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hangingBackend, mockBackend, problem, settle } from "../../test/backend";
import { settings } from "../../test/fixtures";
import { getMockContextProps, render } from "../../test/sdk";
import AppSettings from "./AppSettings";

vi.mock("@stripe/ui-extension-sdk/utils", () => ({ fetchStripeSignature: vi.fn(async () => "t=1700000000,v1=signed") }));

afterEach(() => vi.unstubAllGlobals());

describe("AppSettings", () => {
  it("shows a spinner while loading the settings", async () => {
    const backend = hangingBackend();
    const { wrapper, update } = render(<AppSettings {...getMockContextProps({ environment: { viewportID: "settings" } })} />);
    await settle(update);
    expect(wrapper).toContainComponent(SettingsView);
    expect(wrapper).toContainComponent(Spinner);
    expect(backend.fetchMock.mock.calls[0]![0]).toBe("https://recoup.example.com/api/stripe-app/settings");
  });

  it("shows the retry policy in force and links to the full dashboard", async () => {
    mockBackend({ settings: { body: settings() } });
    const { wrapper, update } = render(<AppSettings {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainText("Up to 6 retries over 21 days, within the card networks' limits.");
    expect(wrapper).toContainText("Retries between 08:00 and 11:00 in the customer's time zone (Europe/Paris when unknown).");
    expect(wrapper).toContainText("Retries lean towards paydays.");
    expect(wrapper).toContainText("No quiet hours.");
    expect(wrapper).toContainText("1 email sequence active.");
    expect(wrapper).toContainComponent(Link, { href: "https://recoup.example.com/dashboard", target: "_blank" });
    expect(wrapper).toContainText("Open the Recoup dashboard");
    expect(wrapper).not.toContainComponent(Banner);
  });

  it("words an empty policy plainly (any hour, quiet hours, no sequences)", async () => {
    mockBackend({
      settings: {
        body: settings({
          connected: false,
          activeSequences: 0,
          retryPolicy: { maxRetries: 0, retryWindowDays: 7, preferredLocalHours: [0, 0], paydayAware: false, quietHours: { start: 21, end: 8 } },
        }),
      },
    });
    const { wrapper, update } = render(<AppSettings {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainText("Retries at any hour.");
    expect(wrapper).toContainText("Retries ignore paydays.");
    expect(wrapper).toContainText("Nothing is sent between 21:00 and 08:00.");
    expect(wrapper).toContainText("0 email sequences active.");
    expect(wrapper).toContainComponent(Banner, { type: "caution" });
  });

  it("shows the error and tries again", async () => {
    let fail = true;
    const backend = mockBackend({ settings: () => (fail ? problem(500, "internal_error", "Something went wrong on our side.") : { body: settings() }) });
    const { wrapper, update } = render(<AppSettings {...getMockContextProps()} />);
    await settle(update);
    expect(wrapper).toContainComponent(Banner, { type: "critical", description: "Something went wrong on our side." });
    fail = false;
    await wrapper.find(Button)!.trigger("onPress");
    await settle(update);
    expect(backend.calls).toHaveLength(2);
    expect(wrapper).toContainText("Up to 6 retries");
  });
});
