import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSequence, getActiveSequence } from "~/domain/campaigns/sequences.server";
import { linkShop } from "~/domain/workspaces/shops.server";
import { db } from "~/utils/db.server";
import { configureShopify, installShop, sessionTokenFor, storeOfflineSession } from "../../tests/helpers/shopify";
import { useFakeSmtp } from "../../tests/helpers/smtp";
import { thrown } from "../../tests/helpers/thrown";
import * as list from "./app.dunning";
import * as editor from "./app.dunning.$id";
import * as preview from "./app.dunning.preview";

const smtp = useFakeSmtp();
beforeEach(configureShopify);
afterEach(() => {
  delete process.env.SHOPIFY_API_KEY;
  delete process.env.SHOPIFY_API_SECRET;
});

let shops = 0;
/** A shop with the app installed: its workspace (owner owner@<shop>) and its domain. */
async function shop() {
  shops += 1;
  const domain = `dunning-${shops}.myshopify.com`;
  const { workspace, owner } = await installShop(domain);
  return { domain, workspace, owner, sequence: (await getActiveSequence(workspace.id))! };
}

/** A request from the embedded admin: App Bridge's session token as a Bearer token. */
async function admin(domain: string, path: string, params: Record<string, string> = {}, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await sessionTokenFor(domain)}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) };
  return { request: new Request(`http://localhost:3000${path}`, init), params, context: {} };
}

/** What `data(...)` carries, for an action's failures. */
const failure = (result: unknown) => result as { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };

describe("/app/dunning inside the Shopify admin", () => {
  it("lists the shop's own sequences, linking to the embedded editor", async () => {
    const mine = await shop();
    await shop();
    const page = await list.loader(await admin(mine.domain, "/app/dunning"));
    expect(page.basePath).toBe("/app");
    expect(page.sequences).toEqual([expect.objectContaining({ id: mine.sequence.id, isActive: true, stepCount: 3 })]);
  });

  it("refuses a session token signed with another secret", async () => {
    const mine = await shop();
    const token = await sessionTokenFor(mine.domain, "not-the-secret");
    const request = new Request("http://localhost:3000/app/dunning", { headers: { authorization: `Bearer ${token}` } });
    const error = (await thrown(list.loader({ request, params: {}, context: {} }))) as Response;
    expect(error.status).toBe(401);
  });
});

describe("/app/dunning/:id inside the Shopify admin", () => {
  it("opens the shop's sequence, and another shop's is a 404 to open, save and delete", async () => {
    const mine = await shop();
    const other = await shop();
    const page = await editor.loader(await admin(mine.domain, `/app/dunning/${mine.sequence.id}`, { id: mine.sequence.id }));
    expect(page).toMatchObject({ basePath: "/app", sequence: { id: mine.sequence.id, isActive: true } });

    const theirs = { id: other.sequence.id };
    expect(await thrown(editor.loader(await admin(mine.domain, `/app/dunning/${theirs.id}`, theirs)))).toMatchObject({ init: { status: 404 } });
    const draft = { name: "Taken", isEnabled: true, steps: [{ delayHours: 1, subjectTemplate: "s", bodyTemplate: "b" }] };
    expect(failure(await editor.action(await admin(mine.domain, `/app/dunning/${theirs.id}`, theirs, { intent: "save", draft }))).init.status).toBe(404);
    await db().dunningSequence.update({ where: { id: theirs.id }, data: { isEnabled: false, status: "paused" } });
    expect(failure(await editor.action(await admin(mine.domain, `/app/dunning/${theirs.id}`, theirs, { intent: "delete" }))).init.status).toBe(404);
    expect(await db().dunningSequence.findUnique({ where: { id: theirs.id } })).toMatchObject({ name: "Default recovery sequence" });
  });

  it("saves the shop's edits", async () => {
    const mine = await shop();
    const params = { id: mine.sequence.id };
    const { draft } = await editor.loader(await admin(mine.domain, `/app/dunning/${params.id}`, params));
    draft.steps[0]!.subjectTemplate = "About your {{merchant_name}} order";
    const result = await editor.action(await admin(mine.domain, `/app/dunning/${params.id}`, params, { intent: "save", draft }));
    expect(result).toMatchObject({ ok: true, intent: "save", toast: "Sequence saved" });
    expect((await getActiveSequence(mine.workspace.id))!.steps[0]!.subjectTemplate).toBe("About your {{merchant_name}} order");
  });

  it("sends the test email to the shop's reply-to address, and says so before it is sent", async () => {
    const mine = await shop();
    await db().workspace.update({ where: { id: mine.workspace.id }, data: { replyTo: "help@story-coffee.example" } });
    const params = { id: mine.sequence.id };
    const page = await editor.loader(await admin(mine.domain, `/app/dunning/${params.id}`, params));
    expect(page.testEmail).toEqual({ to: "help@story-coffee.example", source: "reply_to" });

    const step = mine.sequence.steps[0]!;
    const body = { intent: "test-email", subjectTemplate: "Embedded test {{customer_name}}", bodyTemplate: step.bodyTemplate };
    const result = await editor.action(await admin(mine.domain, `/app/dunning/${params.id}`, params, body));
    expect(result).toEqual({ ok: true, intent: "test-email", toast: "Sent to help@story-coffee.example" });
    const mail = await smtp.waitFor((m) => m.subject === "[Test] Embedded test Jane Doe");
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value[0]?.address).toBe("help@story-coffee.example");
  });

  it("without a reply-to address the test goes to the workspace's owner", async () => {
    const mine = await shop();
    const params = { id: mine.sequence.id };
    const page = await editor.loader(await admin(mine.domain, `/app/dunning/${params.id}`, params));
    expect(page.testEmail).toEqual({ to: mine.owner.email, source: "owner" });
    const result = await editor.action(await admin(mine.domain, `/app/dunning/${params.id}`, params, { intent: "test-email", subjectTemplate: "Owner test", bodyTemplate: "b" }));
    expect(result).toEqual({ ok: true, intent: "test-email", toast: `Sent to ${mine.owner.email}` });
  });

  it("with no address at all (a shop that installed first) the test is refused with what to do", async () => {
    const domain = "no-address.myshopify.com";
    await storeOfflineSession(domain);
    const workspaceId = await linkShop({ shopDomain: domain });
    const sequence = (await getActiveSequence(workspaceId))!;
    const params = { id: sequence.id };
    const page = await editor.loader(await admin(domain, `/app/dunning/${params.id}`, params));
    expect(page.testEmail).toEqual({ to: null, source: "owner" });
    const result = failure(await editor.action(await admin(domain, `/app/dunning/${params.id}`, params, { intent: "test-email", subjectTemplate: "s", bodyTemplate: "b" })));
    expect(result.init.status).toBe(400);
    expect(result.data.message).toBe("There is nowhere to send the test: add a reply-to address in Settings and the test goes there.");
  });

  it("deletes a sequence that isn't active, and refuses the active one", async () => {
    const mine = await shop();
    const active = { id: mine.sequence.id };
    const refused = failure(await editor.action(await admin(mine.domain, `/app/dunning/${active.id}`, active, { intent: "delete" })));
    expect(refused.init.status).toBe(409);
    expect(refused.data.message).toMatch(/is the active sequence: new failed payments get its emails/);

    const spring = await createSequence({
      workspaceId: mine.workspace.id,
      name: "Spring",
      isEnabled: false,
      steps: [{ delayHours: 2, subjectTemplate: "Hi", bodyTemplate: "{{update_payment_url}}" }],
    });
    const result = await editor.action(await admin(mine.domain, `/app/dunning/${spring.id}`, { id: spring.id }, { intent: "delete" }));
    expect(result).toEqual({ ok: true, intent: "delete", toast: "\u201cSpring\u201d deleted." });
    expect(await db().dunningSequence.count({ where: { id: spring.id } })).toBe(0);
    const { sequences } = await list.loader(await admin(mine.domain, "/app/dunning"));
    expect(sequences.map((s) => s.id)).toEqual([active.id]);
  });
});

describe("/app/dunning/preview inside the Shopify admin", () => {
  it("renders the templates with sample data and the shop's name", async () => {
    const mine = await shop();
    const result = await preview.action(await admin(mine.domain, "/app/dunning/preview", {}, { subjectTemplate: "Hi {{customer_name}}", bodyTemplate: "From {{merchant_name}}: {{amount}}" }));
    expect(result).toMatchObject({ ok: true, preview: { subject: "Hi Jane Doe", text: `From ${mine.workspace.name}: $49.00` } });
  });

  it("without a session token renders nothing: the Shopify library sends the request off to authenticate", async () => {
    const request = new Request("http://localhost:3000/app/dunning/preview", { method: "POST", body: JSON.stringify({ subjectTemplate: "s", bodyTemplate: "b" }) });
    const error = await thrown(preview.action({ request, params: {}, context: {} }));
    expect(error).toBeInstanceOf(Response);
    expect((error as Response).status).toBe(302);
    expect((error as Response).headers.get("location")).toMatch(/^\/auth\/login/);
  });
});
