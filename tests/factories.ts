import { createApiKey } from "~/domain/auth/api-keys.server";
import { createSession } from "~/domain/auth/sessions.server";
import { createWorkspace } from "~/domain/workspaces/workspaces.server";
import { encrypt } from "~/utils/crypto.server";
import { db, type Prisma } from "~/utils/db.server";

let counter = 0;

/** A workspace with an owner, the default sequence, an all-scopes API key and a session token. */
export async function makeWorkspace(overrides: { name?: string; ownerEmail?: string } = {}) {
  counter += 1;
  const { workspace, owner } = await createWorkspace({
    name: overrides.name ?? `Acme ${counter}`,
    ownerEmail: overrides.ownerEmail ?? `owner${counter}-${Date.now()}@example.com`,
  });
  const apiKey = await createApiKey({ workspaceId: workspace.id, scopes: ["admin"], name: "test" });
  const session = await createSession({ userId: owner.id, workspaceId: workspace.id });
  return { workspace, owner, apiKey: apiKey.key, sessionToken: session.token };
}

export async function connectStripeAccount(workspaceId: string, stripeAccountId = `acct_${Math.random().toString(36).slice(2, 12)}`) {
  return db().connectedStripeAccount.create({
    data: {
      workspaceId,
      stripeAccountId,
      livemode: false,
      scopes: ["read_write"],
      accessTokenEncrypted: encrypt("sk_test_connected_access_token"),
    },
  });
}

/** A teammate of the workspace with that role (a User, a Membership), signed in. */
export async function makeTeammate(workspaceId: string, role: "admin" | "member") {
  counter += 1;
  const user = await db().user.create({ data: { email: `${role}${counter}-${Date.now()}@example.com`, name: `${role} ${counter}` } });
  await db().membership.create({ data: { workspaceId, userId: user.id, role } });
  const session = await createSession({ userId: user.id, workspaceId });
  return { user, sessionToken: session.token };
}

let recoverySeq = 0;
/** A Recovery row written directly (read-model tests), one minute after the previous one unless `startedAt` is given. */
export async function makeRecovery(workspaceId: string, over: Partial<Prisma.RecoveryUncheckedCreateInput> = {}) {
  recoverySeq += 1;
  const startedAt = over.startedAt ? new Date(over.startedAt) : new Date(Date.UTC(2025, 0, 1) + recoverySeq * 60_000);
  return db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_${recoverySeq}`,
      externalCustomerId: `cus_${recoverySeq}`,
      declineType: "soft",
      amountDueMinor: 1000 + recoverySeq,
      currency: "usd",
      lastFailureAt: startedAt,
      ...over,
      startedAt,
    },
  });
}
