// The providers page, server side, against the wire-level fake Dojo: the connections with their
// readiness, adding a Dojo account by key (checked with Dojo first) and the webhook URL to paste
// into Dojo, the £0.01 setup-test link whose payment verifies it, and the routing chain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionsOf } from "~/domain/collect/connections.server";
import { syncTransaction } from "~/domain/collect/transactions.server";
import * as payPage from "~/routes/pay.$code";
import { db } from "~/utils/db.server";
import { env, resetEnv } from "~/utils/env.server";
import { startFakeDojo, type FakeDojo } from "../../tests/fakes/dojo-server";
import { connectStripeAccount, makeTeammate, makeWorkspace } from "../../tests/factories";
import * as route from "./dashboard.payments.providers";

const DOJO_KEY = "sk_sandbox_dashboard_test";
let dojo: FakeDojo;

beforeAll(async () => {
  dojo = await startFakeDojo({ apiKeys: [DOJO_KEY] });
  process.env.DOJO_API_BASE = dojo.url;
  process.env.DOJO_CHECKOUT_BASE = `${dojo.url}/checkout`;
  process.env.APP_URL = "https://pay.recoup.test";
  resetEnv();
});
afterAll(async () => {
  await dojo?.close();
});

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});
const load = (token: string) => route.loader({ request: new Request("http://localhost/dashboard/payments/providers", { headers: cookie(token) }), params: {}, context: {} });
const act = (body: unknown, token: string) =>
  route.action({
    request: new Request("http://localhost/dashboard/payments/providers", { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
    params: {},
    context: {},
  });
const failure = (result: unknown) => result as { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };
type Answer<I extends string> = Extract<Awaited<ReturnType<typeof route.action>>, { intent: I }>;

async function merchant() {
  const m = await makeWorkspace();
  await connectStripeAccount(m.workspace.id, `acct_prov${Math.random().toString(36).slice(2, 10)}`);
  const { connections } = await connectionsOf(m.workspace.id);
  return { ...m, stripe: connections[0]! };
}

describe("/dashboard/payments/providers", () => {
  it("lists the connected Stripe account as connected and the routing chain's primary", async () => {
    const m = await merchant();
    const page = await load(m.sessionToken);
    expect(page.connections).toEqual([
      expect.objectContaining({ id: m.stripe.id, label: m.stripe.label, provider: "stripe", providerName: "Stripe", status: "connected", livemode: false, webhookUrl: null, lastFailureAt: null, canTest: true }),
    ]);
    expect(page).toMatchObject({
      routing: { primaryConnectionId: m.stripe.id, secondaryConnectionId: null },
      routable: [{ id: m.stripe.id, label: `${m.stripe.label} (Stripe)` }],
      hasStripe: true,
      readOnly: null,
    });
    // A failure that triggers fallback shows, with its time.
    await db().providerConnection.update({ where: { id: m.stripe.id }, data: { lastFailureAt: new Date("2026-11-10T12:00:00Z"), lastFailure: "outage: Stripe answered 503" } });
    expect((await load(m.sessionToken)).connections[0]).toMatchObject({ lastFailureAt: "2026-11-10T12:00:00.000Z", lastFailure: "outage: Stripe answered 503" });
    // Without any provider: nothing to route yet.
    const bare = await makeWorkspace();
    expect(await load(bare.sessionToken)).toMatchObject({ connections: [], routable: [], hasStripe: false, routing: { primaryConnectionId: null } });
  });

  it("adds a Dojo account by its key, shows the webhook URL to paste into Dojo, and verifies it with a paid £0.01 test link", async () => {
    const m = await merchant();
    const bad = failure(await act({ intent: "add-dojo", label: "", apiKey: "pk_wrong", webhookSecret: "" }, m.sessionToken));
    expect(bad.init.status).toBe(400);
    expect(bad.data.fieldErrors).toEqual({
      apiKey: "A Dojo secret key starts with sk_prod_ or sk_sandbox_.",
      webhookSecret: "Paste the webhook signing secret Dojo showed when you added the webhook.",
    });
    const refused = failure(await act({ intent: "add-dojo", label: "", apiKey: "sk_sandbox_not_this_one", webhookSecret: "whsec" }, m.sessionToken));
    expect(refused.init.status).toBe(400);
    expect(refused.data.fieldErrors).toEqual({ apiKey: "Dojo refused this API key. Copy the secret key again from Dojo's Developer Portal." });
    expect(await db().providerConnection.count({ where: { workspaceId: m.workspace.id, provider: "dojo" } })).toBe(0);

    const added = (await act({ intent: "add-dojo", label: "Dojo shop", apiKey: DOJO_KEY, webhookSecret: "dojo-webhook-secret" }, m.sessionToken)) as Answer<"add-dojo">;
    expect(added).toMatchObject({ ok: true, intent: "add-dojo", toast: "Dojo shop added", added: { label: "Dojo shop" } });
    expect(added.added.webhookUrl).toBe(`https://pay.recoup.test/webhooks/dojo/${added.added.id}`);
    const page = await load(m.sessionToken);
    const dojoRow = page.connections.find((c) => c.id === added.added.id)!;
    expect(dojoRow).toMatchObject({ provider: "dojo", status: "setup_incomplete", livemode: false, apiKeyLast4: "test", webhookUrl: added.added.webhookUrl, canTest: true });
    expect(dojoRow.statusWords).toMatch(/^Open a £0\.01 test link and pay it/);
    // Not routable until verified.
    expect(page.routable.map((c) => c.id)).toEqual([m.stripe.id]);
    const early = failure(await act({ intent: "routing", primaryConnectionId: m.stripe.id, secondaryConnectionId: added.added.id }, m.sessionToken));
    expect(early.init.status).toBe(400);
    expect(early.data.fieldErrors).toEqual({ secondaryConnectionId: "Dojo shop is setup incomplete: only a connected provider can be in the routing chain." });

    // The £0.01 setup test: a link pinned to the Dojo connection, whose payment verifies it.
    const test = (await act({ intent: "setup-test", connectionId: added.added.id }, m.sessionToken)) as Answer<"setup-test">;
    expect(test).toMatchObject({ ok: true, intent: "setup-test", test: { connectionId: added.added.id, url: expect.stringMatching(/^https:\/\/pay\.recoup\.test\/pay\/[0-9A-Za-z]{12}$/) } });
    const link = await db().paymentRequest.findUniqueOrThrow({ where: { id: test.test.id } });
    expect(link).toMatchObject({ isSetupTest: true, providerOverrideId: added.added.id, amountMinor: 1, currency: "GBP", description: "Setup test", createdVia: "dashboard", livemode: false });
    const code = link.shortCode;
    const click = (await payPage.action({ request: new Request(`http://localhost/pay/${code}`, { method: "POST", body: "" }), params: { code }, context: {} })) as unknown as Response;
    const checkout = click.headers.get("location")!;
    expect(checkout).toMatch(new RegExp(`^${dojo.url}/checkout/`));
    const intentId = checkout.split("/").pop()!;
    await dojo.pay(intentId);
    await syncTransaction({ connectionId: added.added.id, reference: null, providerPaymentId: intentId });
    expect((await load(m.sessionToken)).connections.find((c) => c.id === added.added.id)).toMatchObject({ status: "connected" });

    // Now it can be the secondary.
    const saved = await act({ intent: "routing", primaryConnectionId: m.stripe.id, secondaryConnectionId: added.added.id }, m.sessionToken);
    expect(saved).toEqual({ ok: true, intent: "routing", toast: `Routing saved: pay-links land on ${m.stripe.label}, then Dojo shop if it can't be used.` });
    expect(await db().routingConfig.findUniqueOrThrow({ where: { workspaceId: m.workspace.id } })).toMatchObject({ primaryConnectionId: m.stripe.id, secondaryConnectionId: added.added.id });
    const same = failure(await act({ intent: "routing", primaryConnectionId: m.stripe.id, secondaryConnectionId: m.stripe.id }, m.sessionToken));
    expect(same.data.fieldErrors).toEqual({ secondaryConnectionId: "The secondary must be a different connection from the primary." });
    expect(await act({ intent: "routing", primaryConnectionId: added.added.id, secondaryConnectionId: "" }, m.sessionToken)).toMatchObject({ ok: true, toast: "Routing saved: pay-links land on Dojo shop." });
    expect(env().APP_URL).toBe("https://pay.recoup.test");
  });

  it("another workspace's connection is a 404; a member reads the page and is refused every change (403)", async () => {
    const m = await merchant();
    const other = await merchant();
    expect(failure(await act({ intent: "setup-test", connectionId: other.stripe.id }, m.sessionToken)).init.status).toBe(404);
    expect(failure(await act({ intent: "routing", primaryConnectionId: other.stripe.id, secondaryConnectionId: "" }, m.sessionToken)).init.status).toBe(404);
    expect(failure(await act({ intent: "setup-test", connectionId: "nope" }, m.sessionToken)).init.status).toBe(404);
    expect(failure(await act({ intent: "nothing" }, m.sessionToken)).init.status).toBe(400);

    const member = await makeTeammate(m.workspace.id, "member");
    expect((await load(member.sessionToken)).readOnly).toMatch(/^Only admins can/);
    for (const body of [
      { intent: "add-dojo", label: "", apiKey: DOJO_KEY, webhookSecret: "s" },
      { intent: "routing", primaryConnectionId: m.stripe.id, secondaryConnectionId: "" },
      { intent: "setup-test", connectionId: m.stripe.id },
    ]) {
      const refused = failure(await act(body, member.sessionToken));
      expect(refused.init.status).toBe(403);
    }
    expect(await db().providerConnection.count({ where: { workspaceId: m.workspace.id } })).toBe(1);
    expect(await db().paymentRequest.count({ where: { workspaceId: m.workspace.id } })).toBe(0);
  });
});
