import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { makeTeammate, makeWorkspace } from "../../tests/factories";
import { setUpStripe } from "../../tests/helpers/stripe";
import * as overview from "./dashboard._index";
import * as connect from "./dashboard.connect";

// Connecting Stripe is an admin's job (docs/decisions/0010-team-roles.md).

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await setUpStripe();
});
afterAll(async () => {
  await stripe.close();
});

const args = (path: string, token: string, init: RequestInit = {}) => ({
  request: new Request(`http://localhost${path}`, { ...init, headers: { cookie: `recoup_session=${encodeURIComponent(token)}` } }),
  params: {},
  context: {},
});

const signedIn = async (workspaceId: string, role: "admin" | "member") => (await makeTeammate(workspaceId, role)).sessionToken;

describe("Connect Stripe by role", () => {
  it("a member's button is disabled, and pressing it anyway goes back with why; no state is created", async () => {
    const { workspace } = await makeWorkspace();
    const member = await signedIn(workspace.id, "member");
    expect((await overview.loader(args("/dashboard", member))).canConnect).toBe(false);

    const res = await connect.action(args("/dashboard/connect", member, { method: "POST" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard?connect=forbidden");
    expect(await db().oAuthState.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect((await overview.loader(args("/dashboard?connect=forbidden", member))).query.connect).toBe("forbidden");
  });

  it("an admin goes to Stripe's authorize page", async () => {
    const { workspace } = await makeWorkspace();
    const admin = await signedIn(workspace.id, "admin");
    expect((await overview.loader(args("/dashboard", admin))).canConnect).toBe(true);
    const res = await connect.action(args("/dashboard/connect", admin, { method: "POST" }));
    expect(new URL(res.headers.get("location")!).searchParams.get("client_id")).toBe("ca_test_client");
  });
});
