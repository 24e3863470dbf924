import Stripe from "stripe";
import { pauseAccountRecoveries, resumeAccountRecoveries } from "~/domain/recovery/engine.server";
import { workspaceDto } from "~/domain/workspaces/workspaces.server";
import { AppError } from "~/domain/errors";
import { stripe } from "~/integrations/stripe/client.server";
import { now } from "~/utils/clock.server";
import { encrypt, randomToken, sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import type { ConnectedStripeAccount } from "../../../generated/prisma/client";

const STATE_TTL_MS = 10 * 60_000;

function connectCallbackUrl() {
  return `${env().APP_URL}/api/stripe/connect/callback`;
}

/** The settings Stripe Connect still needs on this server (empty when it can be used). */
export function missingConnectSettings(): string[] {
  const { STRIPE_SECRET_KEY, STRIPE_CLIENT_ID } = env();
  return [!STRIPE_SECRET_KEY && "STRIPE_SECRET_KEY", !STRIPE_CLIENT_ID && "STRIPE_CLIENT_ID"].filter((v): v is string => Boolean(v));
}

/** Step 1 of Connect OAuth: a single-use `state` bound to the workspace, valid 10 minutes. */
export async function startStripeConnect(input: { workspaceId: string }) {
  const clientId = env().STRIPE_CLIENT_ID;
  if (!clientId) throw new AppError("not_configured", "Stripe Connect is not configured: set STRIPE_CLIENT_ID (see README).");
  const state = randomToken(24);
  await db().oAuthState.create({
    data: { stateHash: sha256(state), workspaceId: input.workspaceId, provider: "stripe", expiresAt: new Date(Date.now() + STATE_TTL_MS) },
  });
  // Built by hand: stripe-node's authorizeUrl() ignores a custom port (../shared/docs/PLATFORMS.md).
  const url = new URL(env().STRIPE_CONNECT_AUTHORIZE_URL);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    scope: "read_write",
    redirect_uri: connectCallbackUrl(),
    state,
  }).toString();
  return { redirectUrl: url.toString(), state };
}

/** Step 2: spend the state (once), exchange the code, store the account with its tokens encrypted. */
export async function completeStripeConnect(input: { code: string; state: string }) {
  const spent = await db().oAuthState.updateManyAndReturn({
    where: { stateHash: sha256(input.state), provider: "stripe", usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  const state = spent[0];
  if (!state) throw new AppError("invalid_state", "This connect link is unknown, expired or already used. Start connecting again.");

  let token: Stripe.OAuthToken;
  try {
    token = await stripe().oauth.token({ grant_type: "authorization_code", code: input.code });
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError && (error.statusCode ?? 500) < 500) {
      throw new AppError("oauth_failed", `Stripe refused the authorization code: ${error.message}`);
    }
    throw new AppError("upstream_error", "Stripe could not be reached to finish connecting. Try again.");
  }
  const stripeAccountId = token.stripe_user_id;
  if (!stripeAccountId || !token.access_token) throw new AppError("upstream_error", "Stripe returned an incomplete token.");

  const existing = await db().connectedStripeAccount.findUnique({ where: { stripeAccountId } });
  if (existing && existing.workspaceId !== state.workspaceId && !existing.disconnectedAt) {
    throw new AppError("account_already_connected", "This Stripe account is already connected to another workspace.");
  }
  const data = {
    workspaceId: state.workspaceId,
    livemode: Boolean(token.livemode),
    scopes: (token.scope ?? "read_write").split(/[ ,]+/).filter(Boolean),
    accessTokenEncrypted: encrypt(token.access_token),
    refreshTokenEncrypted: token.refresh_token ? encrypt(token.refresh_token) : null,
    publishableKey: token.stripe_publishable_key ?? null,
    disconnectedAt: null,
  };
  const account = await db().connectedStripeAccount.upsert({
    where: { stripeAccountId },
    create: { stripeAccountId, ...data },
    update: { ...data, connectedAt: new Date() },
  });
  // Connected again to the workspace it left: the work its disconnection paused carries on. (Another
  // workspace's recoveries stay with that workspace, paused.)
  if (existing?.disconnectedAt && existing.workspaceId === state.workspaceId) {
    await resumeAccountRecoveries({ workspaceId: state.workspaceId, account: stripeAccountId, pausedBy: "account_disconnected" });
  }
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: state.workspaceId } });
  return { connectedAccount: connectedAccountDto(account), workspace: workspaceDto(workspace) };
}

/**
 * `account.application.deauthorized` (or the merchant disconnecting): no more
 * work for that account — its open recoveries are paused, so no retry or
 * email goes out, until the account comes back (Connect OAuth again, or the
 * Stripe App's `account.application.authorized`). A recovery the merchant had
 * paused keeps the merchant's pause.
 */
export async function disconnectStripeAccount(input: { stripeAccountId: string; at: Date }) {
  await db().$transaction(async (tx) => {
    await tx.connectedStripeAccount.updateMany({
      where: { stripeAccountId: input.stripeAccountId, disconnectedAt: null },
      data: { disconnectedAt: input.at },
    });
    await pauseAccountRecoveries({
      tx,
      account: input.stripeAccountId,
      at: input.at,
      reason: "Paused: the Stripe account was disconnected from Recoup.",
      pausedBy: "account_disconnected",
    });
  });
}

/**
 * The merchant disconnects an account from Settings: Stripe revokes Recoup's access (Connect
 * OAuth accounts, when Connect is configured), then the account's open recoveries are paused as
 * for a deauthorization. Another workspace's account is not found.
 */
export async function disconnectFromDashboard(input: { workspaceId: string; stripeAccountId: string }) {
  const account = await db().connectedStripeAccount.findFirst({
    where: { workspaceId: input.workspaceId, stripeAccountId: input.stripeAccountId, disconnectedAt: null },
  });
  if (!account) throw new AppError("not_found", `No connected Stripe account ${input.stripeAccountId} in this workspace.`);
  const { STRIPE_CLIENT_ID, STRIPE_SECRET_KEY } = env();
  // A Stripe App install has no OAuth grant to revoke: it is uninstalled from Stripe's Dashboard.
  if (account.source === "oauth" && STRIPE_CLIENT_ID && STRIPE_SECRET_KEY) {
    try {
      await stripe().oauth.deauthorize({ client_id: STRIPE_CLIENT_ID, stripe_user_id: account.stripeAccountId });
    } catch (error) {
      // invalid_client: the account already revoked access on its side; finish the job here.
      if (!(error instanceof Stripe.errors.StripeError && error.type === "StripeInvalidClientError")) {
        throw new AppError("upstream_error", "Stripe couldn't be reached to disconnect this account. Nothing was changed; try again in a minute.");
      }
    }
  }
  const at = now();
  await disconnectStripeAccount({ stripeAccountId: account.stripeAccountId, at });
  return connectedAccountDto({ ...account, disconnectedAt: at });
}

/** The workspace's Stripe accounts that are connected now. */
export async function listConnectedAccounts(workspaceId: string) {
  const rows = await db().connectedStripeAccount.findMany({ where: { workspaceId, disconnectedAt: null }, orderBy: { connectedAt: "asc" } });
  return rows.map(connectedAccountDto);
}

function connectedAccountDto(a: ConnectedStripeAccount) {
  return {
    id: a.id,
    workspaceId: a.workspaceId,
    stripeAccountId: a.stripeAccountId,
    livemode: a.livemode,
    scopes: a.scopes,
    connectedAt: a.connectedAt.toISOString(),
    disconnectedAt: a.disconnectedAt?.toISOString() ?? null,
  };
}
