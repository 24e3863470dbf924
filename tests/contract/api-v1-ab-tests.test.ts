// LostChurn 62–64: an A/B test of a campaign email splits recipients deterministically by
// customer, the emails sent carry each variant's subject, results count conversions, and
// evaluation promotes a significant winner into the campaign.
import { afterAll, describe, expect, it } from "vitest";
import { startCampaign } from "~/domain/campaigns/recovery-listener.server";
import { runDunningStep } from "~/domain/dunning/messages.server";
import { sharesOf, variantFor } from "~/domain/dunning/ab-tests.server";
import * as createRoute from "~/routes/api.v1.email.ab-test";
import * as getRoute from "~/routes/api.v1.email.ab-test.$campaign_id";
import * as evaluateRoute from "~/routes/api.v1.email.ab-test.$campaign_id.evaluate";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeRecovery, makeWorkspace } from "../factories";
import { useV1Caller } from "../helpers/openapi";

const v1 = useV1Caller({
  "/api/v1/email/ab-test": createRoute,
  "/api/v1/email/ab-test/{campaign_id}": getRoute,
  "/api/v1/email/ab-test/{campaign_id}/evaluate": evaluateRoute,
});
afterAll(() => testClock.reset());

const CREATE = "/api/v1/email/ab-test";
const GET = "/api/v1/email/ab-test/{campaign_id}";
const EVALUATE = "/api/v1/email/ab-test/{campaign_id}/evaluate";

async function setUp() {
  testClock.set(new Date("2026-11-10T12:00:00Z"));
  const ws = await makeWorkspace();
  const campaign = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: ws.workspace.id }, include: { steps: { orderBy: { position: "asc" } } } });
  return { ws, campaign };
}

describe("email A/B tests", () => {
  it("splits by customer, deterministically: each email carries its variant's subject, and the same customer gets the same one again", async () => {
    const { ws, campaign } = await setUp();
    const made = await v1.call("POST", CREATE, CREATE, {
      token: ws.apiKey,
      body: { campaign_id: campaign.id, variants: [{ name: "Today" }, { name: "Short", subject: "Quick: your {{merchant_name}} card" }] },
      expect: 201,
    });
    expect(made.data).toMatchObject({ campaign_id: campaign.id, step_position: 1, traffic_split: 0.5, status: "running" });
    expect(made.data.variants.map((v: { key: string; share: number; control: boolean }) => [v.key, v.share, v.control])).toEqual([["a", 0.5, true], ["b", 0.5, false]]);

    // Twenty customers with a failed payment each; the first email of the campaign is due now.
    const subjects = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      const recovery = await makeRecovery(ws.workspace.id, { externalCustomerId: `cus_ab_${i}`, startedAt: new Date("2026-11-05T12:00:00Z"), lastFailureAt: new Date("2026-11-05T12:00:00Z"), declineCode: "expired_card" });
      await db().customer.create({ data: { workspaceId: ws.workspace.id, provider: "stripe", externalId: `cus_ab_${i}`, email: `ab${i}@example.com` } }).then((c) =>
        db().recovery.update({ where: { id: recovery.id }, data: { customerId: c.id } }),
      );
      const fresh = await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } });
      await db().$transaction((tx) => startCampaign(tx, fresh));
      const out = await runDunningStep({ recoveryId: recovery.id, stepId: campaign.steps[0]!.id });
      expect(out.outcome).toBe("created");
      const message = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } });
      const expected = variantFor({ id: made.data.id, trafficSplit: 0.5 }, ["a", "b"], `cus_ab_${i}`).variant;
      expect(message.abVariant).toBe(expected);
      expect(message.abTestId).toBe(made.data.id);
      subjects.set(`cus_ab_${i}`, message.subject);
      if (expected === "b") expect(message.subject).toMatch(/^Quick: your /);
      else expect(message.subject).toBe(campaign.steps[0]!.subjectTemplate.replace("{{merchant_name}}", ws.workspace.name));
    }
    const variants = new Set([...subjects.values()].map((s) => s.startsWith("Quick")));
    expect(variants.size).toBe(2); // both arms got customers

    // The same customer, another failed payment, a day later (one email a day): the same variant.
    testClock.set(new Date("2026-11-11T13:00:00Z"));
    const again = await makeRecovery(ws.workspace.id, { externalCustomerId: "cus_ab_3", startedAt: new Date("2026-11-06T12:00:00Z"), lastFailureAt: new Date("2026-11-06T12:00:00Z") });
    const customer = await db().customer.findFirstOrThrow({ where: { workspaceId: ws.workspace.id, externalId: "cus_ab_3" } });
    await db().recovery.update({ where: { id: again.id }, data: { customerId: customer.id } });
    await db().$transaction(async (tx) => startCampaign(tx, await tx.recovery.findUniqueOrThrow({ where: { id: again.id } })));
    await runDunningStep({ recoveryId: again.id, stepId: campaign.steps[0]!.id });
    expect((await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: again.id } })).subject).toBe(subjects.get("cus_ab_3"));

    const second = await v1.call("POST", CREATE, CREATE, { token: ws.apiKey, body: { campaign_id: campaign.id, variants: [{ name: "x" }, { name: "y", subject: "Hi" }] }, expect: 409 });
    expect(second.error).toMatchObject({ type: "ab_test_conflict", ab_test_id: made.data.id });
  });

  it("results and evaluation: no call below 30 emails a variant; a significant winner is promoted into the step", async () => {
    const { ws, campaign } = await setUp();
    const made = await v1.call("POST", CREATE, CREATE, {
      token: ws.apiKey,
      body: { campaign_id: campaign.id, variants: [{ name: "Today" }, { name: "Urgent", subject: "Action needed today: {{merchant_name}}" }] },
      expect: 201,
    });
    const id = made.data.id;
    let n = 0;
    const seed = async (variant: string, sent: number, converted: number) => {
      for (let i = 0; i < sent; i++) {
        n++;
        const r = await makeRecovery(ws.workspace.id, i < converted ? { status: "recovered", endedAt: new Date("2026-11-09T00:00:00Z") } : {});
        await db().dunningMessage.create({
          data: { workspaceId: ws.workspace.id, recoveryId: r.id, kind: "sequence", dedupeKey: "s1", subject: "x", bodyText: "x", bodyHtml: "x", status: "sent", sentAt: new Date("2026-11-08T00:00:00Z"), scheduledFor: new Date("2026-11-08T00:00:00Z"), trackingId: `t_${n}_${id}`, abTestId: id, abVariant: variant },
        });
      }
    };
    await seed("a", 20, 4);
    await seed("b", 20, 12);
    const early = await v1.call("POST", EVALUATE, `/api/v1/email/ab-test/${campaign.id}/evaluate`, { token: ws.apiKey, params: { campaign_id: campaign.id }, body: {}, expect: 200 });
    expect(early.data).toMatchObject({ promoted: false, status: "running", results: { enough_data: false, winner: null } });
    expect(early.data.conclusion).toMatch(/at least 30/);

    await seed("a", 40, 8); // 12 of 60 = 20 %
    await seed("b", 40, 24); // 36 of 60 = 60 %
    const got = await v1.call("GET", GET, `/api/v1/email/ab-test/${campaign.id}`, { token: ws.apiKey, params: { campaign_id: campaign.id }, expect: 200 });
    const [a, b] = got.data.results.variants;
    expect(a).toMatchObject({ key: "a", sent: 60, converted: 12, conversion_rate: 0.2, vs_control: null });
    expect(b).toMatchObject({ key: "b", sent: 60, converted: 36, conversion_rate: 0.6 });
    expect(b.vs_control.p_value).toBeLessThan(0.001);
    expect(b.vs_control.difference.low).toBeGreaterThan(0.2);

    const done = await v1.call("POST", EVALUATE, `/api/v1/email/ab-test/${campaign.id}/evaluate`, { token: ws.apiKey, params: { campaign_id: campaign.id }, body: {}, expect: 200 });
    expect(done.data).toMatchObject({ promoted: true, status: "completed", winner: "b" });
    const step = await db().dunningStep.findFirstOrThrow({ where: { sequenceId: campaign.id }, orderBy: { position: "asc" } });
    expect(step.subjectTemplate).toBe("Action needed today: {{merchant_name}}");
    await v1.call("POST", EVALUATE, `/api/v1/email/ab-test/${campaign.id}/evaluate`, { token: ws.apiKey, params: { campaign_id: campaign.id }, body: {}, expect: 409 });
  });

  it("refuses a missing step, an unknown template, bad placeholders, another workspace's campaign", async () => {
    const { ws, campaign } = await setUp();
    const other = await makeWorkspace();
    const bad = async (body: Record<string, unknown>, status: number) => v1.call("POST", CREATE, CREATE, { token: ws.apiKey, body: { campaign_id: campaign.id, variants: [{ name: "a" }, { name: "b", subject: "Hi" }], ...body }, expect: status });
    expect((await bad({ step_position: 9 }, 400)).error.message).toMatch(/no email 9/);
    expect((await bad({ variants: [{ name: "a" }, { name: "b", template_id: "step_nope" }] }, 400)).error.code).toBe("VALIDATION_ERROR");
    expect((await bad({ variants: [{ name: "a" }, { name: "b", subject: "Hi {{first_name}}" }] }, 400)).error.type).toBe("unknown_placeholder");
    expect((await bad({ variants: [{ name: "only one" }] }, 400)).error.code).toBe("VALIDATION_ERROR");
    await v1.call("POST", CREATE, CREATE, { token: other.apiKey, body: { campaign_id: campaign.id, variants: [{ name: "a" }, { name: "b", subject: "Hi" }] }, expect: 404 });
    await v1.call("GET", GET, `/api/v1/email/ab-test/${campaign.id}`, { token: ws.apiKey, params: { campaign_id: campaign.id }, expect: 404 });
    expect(sharesOf(3, 0.5)).toEqual([0.5, 0.25, 0.25]);
  });
});
