import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRecoveryToken } from "~/domain/recovery/links.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { runDueJobs } from "../../tests/helpers/jobs";
import { merchantWithOpenInvoice } from "../../tests/helpers/scenario";
import { deliver, eventOf, setUpStripe } from "../../tests/helpers/stripe";
import { action, loader } from "./recover.$token";
import { thrown } from "../../tests/helpers/thrown";

let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await setUpStripe();
});
afterAll(async () => {
  await stripe.close();
});

/** A recovery opened the way production opens one: a signed invoice.payment_failed. */
async function openRecovery(decline: { declineCode?: string; code?: string } = { declineCode: "insufficient_funds" }) {
  const m = await merchantWithOpenInvoice(stripe, { amount: 4900 });
  const failed = stripe.failInvoice(m.account, m.invoiceId, { ...decline, nextPaymentAttempt: null });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  return { ...m, recovery, token: createRecoveryToken(recovery.id) };
}

const load = (token: string, query = "") =>
  loader({ request: new Request(`http://localhost/recover/${token}${query}`), params: { token }, context: {} });

const submit = (token: string) =>
  action({ request: new Request(`http://localhost/recover/${token}`, { method: "POST" }), params: { token }, context: {} });


describe("GET /recover/:token", () => {
  it("is a 404 for a forged, unknown or malformed token", async () => {
    const { recovery } = await openRecovery();
    const forged = `${createRecoveryToken(recovery.id).slice(0, -2)}xx`;
    for (const token of ["nope", forged, createRecoveryToken("no_such_recovery")]) {
      const error = await thrown(load(token));
      expect(error.init?.status).toBe(404);
      expect(error.data).toBe("This link has expired or was already used");
    }
  });

  it("is a 404 once the link has been used to update the card", async () => {
    const { recovery, token } = await openRecovery();
    await db().recovery.update({ where: { id: recovery.id }, data: { linkUsedAt: new Date() } });
    expect((await thrown(load(token))).init?.status).toBe(404);
  });

  it("shows the merchant, the amount and the reason in plain words", async () => {
    const { workspace, token } = await openRecovery();
    await db().workspace.update({ where: { id: workspace.id }, data: { senderName: "Story Coffee" } });
    expect(await load(token)).toEqual({
      merchant: "Story Coffee",
      amount: "$49.00",
      state: "open",
      reason: "Your bank declined the payment because the card's balance was too low.",
      accent: expect.stringMatching(/^#[0-9a-f]{6}$/),
      logoUrl: null,
      confirmUrl: null,
      paymentHost: "Stripe",
      contactEmail: null,
    });
  });

  it("names the merchant's reply-to address as the way to reach them (only a real address)", async () => {
    const { workspace, token } = await openRecovery();
    await db().workspace.update({ where: { id: workspace.id }, data: { replyTo: " billing@story.example " } });
    expect(await load(token)).toMatchObject({ contactEmail: "billing@story.example" });
    await db().workspace.update({ where: { id: workspace.id }, data: { replyTo: "javascript:alert(1)" } });
    expect(await load(token)).toMatchObject({ contactEmail: null });
  });

  it("wears the merchant's brand colour and logo, as their emails do", async () => {
    const { workspace, token } = await openRecovery();
    await db().workspace.update({ where: { id: workspace.id }, data: { brandColor: "#0b7a5a", logoUrl: "https://cdn.example.com/story.png" } });
    expect(await load(token)).toMatchObject({ accent: "#0b7a5a", logoUrl: "https://cdn.example.com/story.png" });
    // Whatever the database holds, only a hex colour and an https logo reach the page.
    await db().workspace.update({ where: { id: workspace.id }, data: { brandColor: "red;background:url(x)", logoUrl: "javascript:alert(1)" } });
    expect(await load(token)).toMatchObject({ accent: "#1a56db", logoUrl: null });
  });

  it("sends a payment waiting for the bank's approval to Stripe's hosted invoice page, not to a card update", async () => {
    const { token, recovery } = await openRecovery({ declineCode: "authentication_required", code: "authentication_required" });
    const view = await load(token);
    expect(view.state).toBe("open");
    expect(view.confirmUrl).toBe(recovery.hostedInvoiceUrl);
    expect(view.confirmUrl).toMatch(/^https:\/\/invoice\.stripe\.com\//);
  });

  it("falls back to the workspace name, and never shows a raw decline code", async () => {
    const { workspace, token } = await openRecovery({ declineCode: "zz_unheard_of_code" });
    const page = await load(token);
    expect(page.merchant).toBe(workspace.name);
    expect(page.reason).toBeTruthy();
    expect(page.reason).not.toContain("zz_unheard_of_code");
  });

  it("records the click of the email's tracking id", async () => {
    const { recovery, token, workspace } = await openRecovery();
    const trackingId = randomBytes(12).toString("base64url");
    await db().dunningMessage.create({
      data: {
        workspaceId: workspace.id,
        recoveryId: recovery.id,
        kind: "sequence",
        dedupeKey: "test:click",
        toEmail: "ada@example.com",
        subject: "s",
        bodyText: "b",
        bodyHtml: "<p>b</p>",
        status: "sent",
        scheduledFor: new Date(),
        sentAt: new Date(),
        trackingId,
      },
    });
    await load(token, `?m=${trackingId}`);
    const message = await db().dunningMessage.findUniqueOrThrow({ where: { trackingId } });
    expect(message.status).toBe("clicked");
    expect(message.clickedAt).not.toBeNull();
    expect(message.openedAt).not.toBeNull();
  });

  it("still shows the page for an unknown or malformed tracking id", async () => {
    const { token } = await openRecovery();
    expect((await load(token, "?m=unknown_tracking_id")).state).toBe("open");
    expect((await load(token, "?m=%3Cscript%3E")).state).toBe("open");
  });

  it("a closed recovery offers no button: recovered says nothing to pay, the others say closed", async () => {
    const { recovery, token } = await openRecovery();
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "recovered", endedAt: new Date() } });
    expect(await load(token)).toMatchObject({ state: "recovered", reason: null });
    for (const status of ["failed", "abandoned"] as const) {
      await db().recovery.update({ where: { id: recovery.id }, data: { status } });
      expect(await load(token)).toMatchObject({ state: "closed", reason: null });
    }
  });
});

describe("POST /recover/:token", () => {
  it("redirects (302) to the Stripe portal session opened for the customer", async () => {
    const { account, customerId, token } = await openRecovery();
    const res = await submit(token);
    expect(res).toBeInstanceOf(Response);
    const response = res as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/\/fake-portal\//);
    const portal = stripe.requestsTo("POST", "/v1/billing_portal/sessions").at(-1)!;
    expect(portal).toMatchObject({ stripeAccount: account, body: { customer: customerId, flow_data: { type: "payment_method_update" } } });
  });

  it("answers in plain words when the payment was already made or the link is dead", async () => {
    const { recovery, token } = await openRecovery();
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "recovered", endedAt: new Date() } });
    expect(await submit(token)).toMatchObject({ data: { error: "This payment has already been made. Thank you!" }, init: { status: 400 } });
    expect(await submit("nope")).toMatchObject({ data: { error: "This link has expired or was already used." }, init: { status: 404 } });
  });

  it("hides Stripe's failure behind a plain sentence", async () => {
    const { token } = await openRecovery();
    stripe.queue("POST", "/v1/billing_portal/sessions", { status: 500, body: { error: { type: "api_error", message: "boom at the bank" } } });
    stripe.queue("POST", "/v1/billing_portal/sessions", { status: 500, body: { error: { type: "api_error", message: "boom at the bank" } } });
    stripe.queue("POST", "/v1/billing_portal/sessions", { status: 500, body: { error: { type: "api_error", message: "boom at the bank" } } });
    // The failure is logged for us (not shown to the customer): keep it out of the test output.
    vi.stubEnv("LOG_LEVEL", "silent");
    const res = (await submit(token).finally(() => vi.unstubAllEnvs())) as { data: { error: string }; init: ResponseInit };
    expect(res.init.status).toBe(502);
    expect(res.data.error).toBe("We couldn't open the secure payment page just now. Please try again in a minute.");
  });
});
