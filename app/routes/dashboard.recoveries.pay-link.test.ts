// "Create pay-link" on a recovery's page (/dashboard/recoveries/:id): a pay-link for the amount
// due whose payment settles the recovery, one open link per recovery, for open recoveries only;
// owners and admins make it, members see it; another workspace's recovery is a 404.
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { connectStripeAccount, makeRecovery, makeTeammate, makeWorkspace } from "../../tests/factories";
import * as route from "./dashboard.recoveries.$id";

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});
const load = (id: string, token: string) => route.loader({ request: new Request(`http://localhost/dashboard/recoveries/${id}`, { headers: cookie(token) }), params: { id }, context: {} });
const create = (id: string, token: string) =>
  route.action({
    request: new Request(`http://localhost/dashboard/recoveries/${id}`, { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify({ intent: "create-pay-link" }) }),
    params: { id },
    context: {},
  });
const failure = (result: unknown) => result as { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };
type Created = { ok: true; intent: "create-pay-link"; toast: string; link: { id: string; url: string; qr: string; amount: string } };

async function merchantWithRecovery(over: Parameters<typeof makeRecovery>[1] = {}) {
  const m = await makeWorkspace();
  await connectStripeAccount(m.workspace.id, `acct_rec${Math.random().toString(36).slice(2, 10)}`);
  const customer = await db().customer.create({ data: { workspaceId: m.workspace.id, externalId: `cus_${Math.random().toString(36).slice(2, 10)}`, email: "grace@example.com", name: "Grace Hopper" } });
  const recovery = await makeRecovery(m.workspace.id, { status: "pending", amountDueMinor: 4900, currency: "gbp", customerId: customer.id, ...over });
  return { ...m, recovery };
}

describe("a pay-link from a recovery's page", () => {
  it("creates a link for the amount due, tied to the recovery, and shows it (URL and QR) from then on", async () => {
    const m = await merchantWithRecovery();
    const before = await load(m.recovery.id, m.sessionToken);
    expect(before.attempt).toMatchObject({ id: m.recovery.id, status: "pending" });
    expect(before.payLink).toEqual({ amount: "£49.00", open: null, hasProvider: true, readOnly: null, basePath: "/dashboard" });

    const created = (await create(m.recovery.id, m.sessionToken)) as unknown as Created;
    expect(created).toMatchObject({ ok: true, intent: "create-pay-link", toast: "Pay-link for £49.00 created", link: { amount: "£49.00" } });
    const saved = await db().paymentRequest.findUniqueOrThrow({ where: { id: created.link.id } });
    expect(saved).toMatchObject({
      workspaceId: m.workspace.id,
      recoveryId: m.recovery.id,
      amountMinor: 4900,
      currency: "GBP",
      customerEmail: "grace@example.com",
      customerName: "Grace Hopper",
      customerReference: m.recovery.externalId,
      createdVia: "dashboard",
      status: "open",
    });
    expect(created.link.url).toBe(`${env().APP_URL.replace(/\/$/, "")}/pay/${saved.shortCode}`);
    expect(created.link.qr).toMatch(/^data:image\/png;base64,/);

    const after = await load(m.recovery.id, m.sessionToken);
    expect(after.payLink!.open).toEqual({ id: saved.id, amount: "£49.00", url: created.link.url, qr: expect.stringMatching(/^data:image\/png/) });
    // A second click shows the same open link rather than making another.
    const again = (await create(m.recovery.id, m.sessionToken)) as unknown as Created;
    expect(again).toMatchObject({ ok: true, toast: "This recovery already has an open pay-link", link: { id: saved.id } });
    expect(await db().paymentRequest.count({ where: { recoveryId: m.recovery.id } })).toBe(1);
  });

  it("offers nothing for a closed recovery, and refuses one", async () => {
    const m = await merchantWithRecovery({ status: "recovered", endedAt: new Date(), recoveredAmountMinor: 4900 });
    expect((await load(m.recovery.id, m.sessionToken)).payLink).toBeNull();
    const refused = failure(await create(m.recovery.id, m.sessionToken));
    expect(refused.init.status).toBe(400);
    expect(refused.data.message).toMatch(/is recovered: there is nothing left to collect/);
    expect(await db().paymentRequest.count({ where: { workspaceId: m.workspace.id } })).toBe(0);
  });

  it("says a provider is needed first when none is connected", async () => {
    const m = await makeWorkspace();
    const recovery = await makeRecovery(m.workspace.id, { status: "failed", amountDueMinor: 1500, currency: "usd" });
    expect((await load(recovery.id, m.sessionToken)).payLink).toMatchObject({ amount: "$15.00", hasProvider: false, open: null });
    const refused = failure(await create(recovery.id, m.sessionToken));
    expect(refused.init.status).toBe(422);
    expect(refused.data.message).toMatch(/^No payment provider is connected yet/);
  });

  it("another workspace's recovery is a 404; a member sees the card and is refused making a link (403)", async () => {
    const m = await merchantWithRecovery();
    const other = await makeWorkspace();
    expect(failure(await create(m.recovery.id, other.sessionToken)).init.status).toBe(404);

    const member = await makeTeammate(m.workspace.id, "member");
    expect((await load(m.recovery.id, member.sessionToken)).payLink).toMatchObject({ readOnly: expect.stringMatching(/^Only admins can/) });
    const refused = failure(await create(m.recovery.id, member.sessionToken));
    expect(refused.init.status).toBe(403);
    expect(await db().paymentRequest.count({ where: { workspaceId: m.workspace.id } })).toBe(0);
  });

  it("leaves the page's own buttons (form posts) to the recovery's actions", async () => {
    const m = await merchantWithRecovery();
    const request = new Request(`http://localhost/dashboard/recoveries/${m.recovery.id}`, { method: "POST", headers: cookie(m.sessionToken), body: new URLSearchParams({ intent: "pause" }) });
    const result = (await route.action({ request, params: { id: m.recovery.id }, context: {} })) as { ok: boolean; message: string };
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/^Recovery paused/) });
  });
});
