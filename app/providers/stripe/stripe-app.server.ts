import { resumeAccountRecoveries } from "~/domain/recovery/engine.server";
import { createWorkspace } from "~/domain/workspaces/workspaces.server";
import { db } from "~/utils/db.server";
import { log } from "~/utils/logger.server";

export interface StripeAppAccount {
  workspaceId: string;
  stripeAccountId: string;
  /** This call created the workspace (the account's first call). */
  created: boolean;
  /** False once the account was disconnected (uninstalled, deauthorized, or disconnected in Recoup's settings). */
  connected: boolean;
}

/**
 * The workspace behind a Stripe account that opened the Dashboard app. An
 * account Recoup already knows (Connect OAuth or an earlier app call) keeps its
 * workspace; a new one gets a workspace and a `stripe_app` ConnectedStripeAccount
 * with no token: the app's platform access acts for it (`stripeAccount`).
 *
 * Safe under concurrent first calls: the account row is unique, so only one
 * insert wins; a loser deletes the workspace it made and takes the winner's.
 */
export async function resolveStripeAppAccount(input: {
  stripeAccountId: string;
  accountName?: string | null;
  livemode?: boolean;
}): Promise<StripeAppAccount> {
  const { stripeAccountId } = input;
  const existing = await db().connectedStripeAccount.findUnique({ where: { stripeAccountId } });
  // Any source: an account connected by OAuth keeps its workspace. A disconnected one stays
  // disconnected here (the merchant or Stripe revoked it); the views say so rather than undo it.
  // Reinstalling the app is what brings it back: Stripe's `account.application.authorized`
  // (reauthorizeStripeAppAccount).
  if (existing) return { workspaceId: existing.workspaceId, stripeAccountId, created: false, connected: !existing.disconnectedAt };

  const name = input.accountName?.trim() || `Stripe account ${stripeAccountId}`;
  const { workspace, owner } = await createWorkspace({ name });
  await db().connectedStripeAccount.createMany({
    data: [
      {
        workspaceId: workspace.id,
        stripeAccountId,
        source: "stripe_app",
        accessTokenEncrypted: null,
        livemode: input.livemode ?? false,
        scopes: [],
      },
    ],
    skipDuplicates: true,
  });
  const winner = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId } });
  if (winner.workspaceId !== workspace.id) {
    await db().$transaction([db().workspace.delete({ where: { id: workspace.id } }), db().user.delete({ where: { id: owner.id } })]);
    return { workspaceId: winner.workspaceId, stripeAccountId, created: false, connected: !winner.disconnectedAt };
  }
  log.info("stripe app: workspace created", { stripeAccountId, workspaceId: workspace.id });
  return { workspaceId: workspace.id, stripeAccountId, created: true, connected: true };
}

/**
 * Stripe's `account.application.authorized` for an account that had uninstalled the Dashboard app:
 * installing it again is the merchant's clear intent to come back, so the account is connected again
 * and the recoveries its leaving paused carry on (the merchant's own pauses stay). Only a
 * `stripe_app` account, and only an authorisation newer than the disconnection: an older one,
 * delivered late, changes nothing. Connect (OAuth) accounts come back through OAuth.
 */
export async function reauthorizeStripeAppAccount(input: { stripeAccountId: string; at: Date }) {
  const { count } = await db().connectedStripeAccount.updateMany({
    where: { stripeAccountId: input.stripeAccountId, source: "stripe_app", disconnectedAt: { not: null, lte: input.at } },
    data: { disconnectedAt: null, connectedAt: input.at },
  });
  if (!count) return { reconnected: false as const };
  const account = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: input.stripeAccountId } });
  const resumed = await resumeAccountRecoveries({ workspaceId: account.workspaceId, account: account.stripeAccountId, pausedBy: "account_disconnected" });
  log.info("stripe app: account authorised again", { stripeAccountId: account.stripeAccountId, workspaceId: account.workspaceId, ...resumed });
  return { reconnected: true as const, workspaceId: account.workspaceId, ...resumed };
}
