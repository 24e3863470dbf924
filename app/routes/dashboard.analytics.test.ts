// /dashboard/analytics, server side: failed vs recovered by decline code and by campaign, with
// rates and recovered money, over the asked range of the workspace's local days, from the
// analytics module's breakdown; only the caller's workspace and mode; a range it refuses is said
// in words and the default shown.
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeRecovery, makeWorkspace } from "../../tests/factories";
import { thrown } from "../../tests/helpers/thrown";
import * as analytics from "./dashboard.analytics";
import { rollUpWorkspace } from "~/domain/analytics/rollup.server";

const get = (path: string, token?: string) => ({
  request: new Request(`http://localhost${path}`, { headers: token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {} }),
  params: {},
  context: {},
});

describe("/dashboard/analytics", () => {
  it("breaks failed and recovered payments down by decline code and by campaign, with rates and counts", async () => {
    const m = await makeWorkspace();
    const other = await makeWorkspace();
    const winBack = await db().dunningSequence.create({ data: { workspaceId: m.workspace.id, name: "Win-back" } });
    const at = (day: number) => new Date(Date.UTC(2026, 10, day, 12));
    const failure = (day: number, declineCode: string, over: Parameters<typeof makeRecovery>[1] = {}) =>
      makeRecovery(m.workspace.id, { startedAt: at(day), declineCode, currency: "usd", amountDueMinor: 1000, ...over });
    await failure(3, "insufficient_funds", { status: "recovered", recoveredAmountMinor: 1000, sequenceId: winBack.id });
    await failure(4, "insufficient_funds", { sequenceId: winBack.id });
    await failure(5, "insufficient_funds", { status: "recovered", recoveredAmountMinor: 1000 });
    await failure(6, "expired_card", { status: "failed" });
    // Outside the range, in test mode, or another workspace's: not counted.
    await failure(20, "insufficient_funds");
    await failure(7, "insufficient_funds", { livemode: false });
    await makeRecovery(other.workspace.id, { startedAt: at(7), declineCode: "insufficient_funds", currency: "usd" });
    // What the analytics-rollup job does every minute: the page reads its rollups.
    for (const id of [m.workspace.id, other.workspace.id]) await rollUpWorkspace({ workspaceId: id });

    const page = await analytics.loader(get("/dashboard/analytics?from=2026-11-01&to=2026-11-10&groupBy=week", m.sessionToken));
    expect(page.problem).toBeNull();
    expect(page.query).toMatchObject({ from: "2026-11-01", to: "2026-11-10", groupBy: "week", mode: "live" });
    const codes = page.declineCodes.filter((t) => t.failed > 0).map((t) => [t.key, t.failed, t.recovered, t.rate, t.recoveredMinor]);
    expect(codes).toEqual([
      ["insufficient_funds", 3, 2, expect.closeTo(2 / 3, 2), 2000],
      ["expired_card", 1, 0, 0, 0],
    ]);
    const campaigns = page.campaigns.filter((t) => t.failed > 0).map((t) => [t.label, t.failed, t.recovered]);
    expect(campaigns).toEqual(
      expect.arrayContaining([
        ["Win-back", 2, 1],
        ["No campaign", 2, 1],
      ]),
    );
    // Over time, the weeks of the range with every segment together.
    expect(page.overTime.reduce((n, p) => n + p.failed, 0)).toBe(4);
    expect(page.overTime.reduce((n, p) => n + p.recovered, 0)).toBe(2);

    const test = await analytics.loader(get("/dashboard/analytics?from=2026-11-01&to=2026-11-10&mode=test", m.sessionToken));
    expect(test.declineCodes.filter((t) => t.failed > 0).map((t) => [t.key, t.failed])).toEqual([["insufficient_funds", 1]]);
  });

  it("says why a range can't be shown and shows the default one instead", async () => {
    const m = await makeWorkspace();
    const page = await analytics.loader(get("/dashboard/analytics?from=2026-11-10&to=2026-11-01", m.sessionToken));
    expect(page.problem).toBe("start_date must be on or before end_date.");
    expect(page.overTime.length).toBeGreaterThanOrEqual(30);
    const bogus = await analytics.loader(get("/dashboard/analytics?groupBy=fortnight&mode=both", m.sessionToken));
    expect(bogus.query).toMatchObject({ groupBy: "day", mode: "live" });
  });

  it("asks for a session", async () => {
    const res = await thrown<Response>(analytics.loader(get("/dashboard/analytics")));
    expect(res.status).toBe(302);
  });
});
