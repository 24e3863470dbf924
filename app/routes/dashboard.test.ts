import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "~/utils/env.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { makeRecovery, makeWorkspace } from "../../tests/factories";
import { runDueJobs } from "../../tests/helpers/jobs";
import { merchantWithOpenInvoice } from "../../tests/helpers/scenario";
import { deliver, eventOf, setUpStripe } from "../../tests/helpers/stripe";
import * as layout from "./dashboard";
import * as overview from "./dashboard._index";
import * as connect from "./dashboard.connect";
import { thrown } from "../../tests/helpers/thrown";

let stripe: FakeStripe;
const STRIPE_KEYS = ["STRIPE_SECRET_KEY", "STRIPE_CLIENT_ID"] as const;
let configured: Record<string, string | undefined>;

beforeAll(async () => {
  stripe = await setUpStripe();
  configured = Object.fromEntries(STRIPE_KEYS.map((k) => [k, process.env[k]]));
});
afterEach(() => {
  Object.assign(process.env, configured);
  resetEnv();
});
afterAll(async () => {
  await stripe.close();
});

function unconfigureStripe() {
  for (const key of STRIPE_KEYS) delete process.env[key];
  resetEnv();
}

const request = (path: string, token?: string, init: RequestInit = {}) =>
  new Request(`http://localhost${path}`, { ...init, headers: token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {} });

const args = (path: string, token?: string, init?: RequestInit) => ({ request: request(path, token, init), params: {}, context: {} });


describe("the dashboard layout", () => {
  it("without a session sends the browser to the sign-in page, which comes back to the page asked for", async () => {
    for (const [path, token] of [["/dashboard", undefined], ["/dashboard/recoveries/abc?x=1", "rs_forged"]] as const) {
      const res = await thrown<Response>(layout.loader(args(path, token)));
      expect(res.status).toBe(302);
      expect(res.headers.get("Location")).toBe(`/auth/sign-in?redirectTo=${encodeURIComponent(path)}`);
    }
  });

  it("with a session names the workspace and the member, with their bell", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace({ name: "Layout Co" });
    expect(await layout.loader(args("/dashboard", sessionToken))).toEqual({
      workspace: { id: workspace.id, name: "Layout Co", timezone: "UTC" },
      user: { name: owner.email, email: owner.email },
      outbox: true,
      bell: { unread: 0, latest: [], fetchedAt: expect.any(Number) },
    });
  });
});

describe("the overview", () => {
  it("without a session sends the browser to sign in (a form post is a 401)", async () => {
    expect(await thrown(overview.loader(args("/dashboard")))).toMatchObject({ status: 302 });
  });

  it("shows what Recoup added while the standing holdout is on, with its interval; nothing while it is off", async () => {
    const m = await makeWorkspace();
    expect((await overview.loader(args("/dashboard?window=30d", m.sessionToken))).extras.incremental).toBeNull();
    await db().workspace.update({ where: { id: m.workspace.id }, data: { holdoutBasisPoints: 1000 } });
    const started = new Date(Date.now() - 5 * 86_400_000);
    for (let i = 0; i < 100; i++) {
      const held = i < 40;
      const recovered = held ? i < 10 : i < 70; // 25 % held out, 50 % with Recoup
      await makeRecovery(m.workspace.id, { holdout: held, startedAt: started, amountDueMinor: 2000, ...(recovered ? { status: "recovered", recoveredAmountMinor: 2000 } : {}) });
    }
    const page = await overview.loader(args("/dashboard?window=30d", m.sessionToken));
    expect(page.extras.incremental).toMatchObject({ currency: "usd", heldOut: 40, treated: 60, sharePercent: 10, liftPoints: 25, enoughData: true, estimateCents: 30_000 });
    expect(page.extras.incremental!.lowCents).toBeLessThan(30_000);
    expect(page.extras.incremental!.highCents).toBeGreaterThan(30_000);
  });

  it("loads the summary for the window in the URL and the workspace's recoveries", async () => {
    const m = await merchantWithOpenInvoice(stripe, { amount: 4900 });
    const failed = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
    await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
    await runDueJobs();
    const other = await makeWorkspace();

    const page = await overview.loader(args("/dashboard?window=lifetime", m.sessionToken));
    expect(page.summary).toMatchObject({ workspaceId: m.workspace.id, window: "lifetime", failedRevenueCents: 4900, currency: "usd" });
    expect(page.recoveries.items.map((i) => i.attempt.stripeInvoiceId)).toEqual([m.invoiceId]);
    // A Stripe recovery is named by its invoice and customer ids, as before.
    expect(page.recoveries.items[0]!.reference).toEqual({ title: m.invoiceId, subtitle: m.customerId });
    expect(page.recoveries.nextCursor).toBeNull();
    expect(page.stripeMissing).toEqual([]);
    expect(page.connectedAccounts).toEqual([m.account]);

    const recovered = await overview.loader(args("/dashboard?status=recovered", m.sessionToken));
    expect(recovered.recoveries.items).toEqual([]);
    const empty = await overview.loader(args("/dashboard", other.sessionToken));
    expect(empty.recoveries.items).toEqual([]);
    expect(empty.connectedAccounts).toEqual([]);
  });

  it("falls back to the defaults for a hand-edited URL, and drops a cursor it did not issue", async () => {
    const { sessionToken } = await makeWorkspace();
    const page = await overview.loader(args("/dashboard?window=1y&status=weird&connected=nope", sessionToken));
    expect(page.query).toMatchObject({ window: "month", status: undefined, connected: undefined });
    const redirect = await thrown(overview.loader(args("/dashboard?window=7d&cursor=garbage", sessionToken)));
    expect(redirect).toBeInstanceOf(Response);
    expect((redirect as Response).headers.get("location")).toBe("/dashboard?window=7d");
  });

  it("passes the Connect outcome on to the page", async () => {
    const { sessionToken } = await makeWorkspace();
    expect((await overview.loader(args("/dashboard?connected=acct_123", sessionToken))).query.connected).toBe("acct_123");
    expect((await overview.loader(args("/dashboard?connect=denied", sessionToken))).query.connect).toBe("denied");
  });
});

describe("Connect Stripe from the dashboard", () => {
  it("names the environment variables to set when Stripe is not configured, and the button says so", async () => {
    const { sessionToken } = await makeWorkspace();
    unconfigureStripe();
    const page = await overview.loader(args("/dashboard", sessionToken));
    expect(page.stripeMissing).toEqual(["STRIPE_SECRET_KEY", "STRIPE_CLIENT_ID"]);
    const res = await connect.action(args("/dashboard/connect", sessionToken, { method: "POST" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard?connect=not_configured");
  });

  it("sends the merchant to Stripe's authorize page with a fresh state", async () => {
    const { sessionToken } = await makeWorkspace();
    const res = await connect.action(args("/dashboard/connect", sessionToken, { method: "POST" }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.searchParams.get("client_id")).toBe("ca_test_client");
    expect(location.searchParams.get("redirect_uri")).toMatch(/\/api\/stripe\/connect\/callback$/);
    expect(location.searchParams.get("state")).toBeTruthy();
  });

  it("without a session goes back to the sign-in page", async () => {
    const res = await connect.action(args("/dashboard/connect", undefined, { method: "POST" }));
    expect(res.headers.get("location")).toBe("/dashboard");
  });
});
