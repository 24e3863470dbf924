import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_COMPONENTS, renderInAdmin, textOf } from "../../test/admin-host";
import { recoveryItem as item } from "../../test/fixtures";
import extension, { TARGET } from "./BlockExtension";

const GID = "gid://shopify/Customer/1001";
const PATH = "/api/shopify-ext/customers/gid%3A%2F%2Fshopify%2FCustomer%2F1001/recoveries";

afterEach(() => vi.unstubAllGlobals());

/** The slice of the admin block API the block reads. */
const api = (selected: Array<{ id: string }> = [{ id: GID }]) => ({ extension: { target: TARGET }, data: { selected } });

type Answer = { status?: number; body?: unknown } | "network-error" | "hang";

/** Stubs the sandbox's fetch (the admin adds the session token to it; see README). */
function backend(...answers: Answer[]) {
  const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => {
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer === "hang") return new Promise<Response>(() => {});
    if (answer === "network-error") throw new TypeError("Failed to fetch");
    const status = answer.status ?? 200;
    return new Response(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body), {
      status,
      headers: { "Content-Type": status < 400 ? "application/json" : "application/problem+json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

async function show(selected?: Array<{ id: string }>) {
  const host = await renderInAdmin(extension, api(selected));
  // Only what the admin can render (the host's root is strict and limited to these).
  const usedOnlyAdminComponents = () => [...host.types()].every((t) => ADMIN_COMPONENTS.includes(t));
  return { ...host, usedOnlyAdminComponents };
}

describe("the customer block", () => {
  it("shows a spinner while it loads that customer's recoveries", async () => {
    const fetchMock = backend("hang");
    const host = await show();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect(host.find("ProgressIndicator")).not.toBeNull();
    expect(host.find("AdminBlock")?.props).toMatchObject({ title: "Failed payments" });
    expect(host.text()).toContain("Loading failed payments…");
    expect(fetchMock.mock.calls[0]![0]).toBe(PATH);
    // No token handling of our own: the admin's fetch adds it for the app's URL.
    expect(new Headers(fetchMock.mock.calls[0]![1]?.headers).has("authorization")).toBe(false);
  });

  it("says so when the customer has no failed payments", async () => {
    backend({ body: { items: [] } });
    const host = await show();
    await vi.waitFor(() => expect(host.text()).toContain("No failed payments for this customer"));
    expect(host.find("ProgressIndicator")).toBeNull();
    expect(host.findAll("Link")).toHaveLength(0);
  });

  it("lists the open recoveries: amount, status, next step, each linking into the app", async () => {
    backend({ body: { items: [item({ id: "rec_2", amountDueCents: 3000, currency: "jpy", nextActionReason: "Paused: Recoup was uninstalled from the Shopify store." }), item()] } });
    const host = await show();
    await vi.waitFor(() => expect(host.findAll("Badge")).toHaveLength(2));
    const links = host.findAll("Link");
    expect(links.map((l) => [textOf(l), l.props.href])).toEqual([
      ["¥3,000", "app:app/recoveries/rec_2"],
      ["$25.00", "app:app/recoveries/rec_1"],
      ["All failed payments in Recoup", "app:app?status=pending"],
    ]);
    expect(host.findAll("Badge").map((b) => [textOf(b), b.props.tone])).toEqual([
      ["Recovering", "info"],
      ["Recovering", "info"],
    ]);
    expect(host.text()).toContain("Paused: Recoup was uninstalled from the Shopify store.");
    expect(host.text()).toContain("Retrying on Nov 2 at 09:00 (UTC): the bank said to try again later.");
    expect(host.find("AdminBlock")?.props).toMatchObject({ collapsedSummary: "2 failed payments being recovered" });
    expect(host.usedOnlyAdminComponents()).toBe(true);
  });

  it("explains a failure in plain words and tries again", async () => {
    const fetchMock = backend(
      { status: 503, body: { code: "not_configured", detail: "Shopify is not configured: set SHOPIFY_API_KEY and SHOPIFY_API_SECRET (see README)." } },
      { body: { items: [item()] } },
    );
    const host = await show();
    await vi.waitFor(() => expect(host.text()).toContain("Recoup is not fully set up yet"));
    expect(host.text()).not.toContain("SHOPIFY_API_KEY");
    const retry = host.findAll("Button").find((b) => textOf(b) === "Try again");
    expect(retry).toBeDefined();
    (retry!.props.onPress as () => void)();
    await vi.waitFor(() => expect(host.text()).toContain("$25.00"));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(host.findAll("Button")).toHaveLength(0);
  });

  it("says when Recoup cannot be reached", async () => {
    backend("network-error");
    const host = await show();
    await vi.waitFor(() => expect(host.text()).toContain("Recoup could not be reached. Check your connection, then try again."));
  });

  it("says when the session is refused", async () => {
    backend({ status: 401, body: "" });
    const host = await show();
    await vi.waitFor(() => expect(host.text()).toContain("Recoup could not confirm your admin session."));
  });

  it("treats an unexpected answer as an error, not a crash", async () => {
    backend({ body: "<html>not json</html>" });
    const host = await show();
    await vi.waitFor(() => expect(host.text()).toContain("Recoup could not load this customer's failed payments."));
  });

  it("asks nothing of the backend when the page names no customer", async () => {
    const fetchMock = backend({ body: { items: [] } });
    const host = await show([]);
    await vi.waitFor(() => expect(host.text()).toContain("Recoup did not recognise this customer."));
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
