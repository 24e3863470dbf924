// Provider connections and the routing chain (ADR 0075). A Stripe account connected to the workspace
// (Connect OAuth, the Stripe App) is a connection, ready at once; a Dojo account is added by its API
// key and stays `setup_incomplete` until a setup-test payment goes through it.
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { decrypt, encrypt } from "~/utils/crypto.server";
import { db, type Tx } from "~/utils/db.server";
import type { ProviderConnection, RoutingConfig } from "../../../generated/prisma/client";
import { processorFor } from "./processors.server";
import { ProcessorUnavailableError, type ProcessorAccount } from "./processor";
import type { Routing } from "./routing";

type Client = ReturnType<typeof db> | Tx;

export interface ConnectionsAndRouting {
  connections: ProviderConnection[];
  routing: RoutingConfig | null;
}

/** What the workspace's connections are made from, read at once. */
function readChain(client: Client, workspaceId: string) {
  return Promise.all([
    client.connectedStripeAccount.findMany({ where: { workspaceId }, orderBy: { connectedAt: "asc" } }),
    client.providerConnection.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    client.routingConfig.findUnique({ where: { workspaceId } }),
  ]);
}

/**
 * The workspace's Stripe accounts as connections: one per connected account, disconnected with it.
 * While the workspace has no routing chain, its first connected Stripe account becomes the primary,
 * so a merchant who has just connected can send a pay-link. Writes only what changed, and says whether it wrote.
 */
async function syncStripeConnections(client: Client, workspaceId: string, [accounts, connections, routing]: Awaited<ReturnType<typeof readChain>>): Promise<boolean> {
  const byAccount = new Map(connections.filter((c) => c.provider === "stripe").map((c) => [c.stripeAccountId, c]));
  let wrote = false;
  for (const account of accounts) {
    const status = account.disconnectedAt ? "disconnected" : "connected";
    const known = byAccount.get(account.stripeAccountId);
    if (!known) {
      await client.providerConnection.createMany({
        data: [
          {
            workspaceId,
            provider: "stripe",
            label: `Stripe ${account.stripeAccountId}`,
            status,
            livemode: account.livemode,
            stripeAccountId: account.stripeAccountId,
            verifiedAt: account.disconnectedAt ? null : account.connectedAt,
            disconnectedAt: account.disconnectedAt,
          },
        ],
        skipDuplicates: true,
      });
      wrote = true;
    } else if (known.status !== status || known.livemode !== account.livemode) {
      await client.providerConnection.update({
        where: { id: known.id },
        data: { status, livemode: account.livemode, disconnectedAt: account.disconnectedAt, verifiedAt: known.verifiedAt ?? account.connectedAt },
      });
      wrote = true;
    }
  }
  if (!routing && accounts.some((a) => !a.disconnectedAt)) {
    const first = await client.providerConnection.findFirst({ where: { workspaceId, provider: "stripe", status: "connected" }, orderBy: { createdAt: "asc" } });
    if (first) {
      await client.routingConfig.createMany({ data: [{ workspaceId, primaryConnectionId: first.id }], skipDuplicates: true });
      wrote = true;
    }
  }
  return wrote;
}

/**
 * Every connection of the workspace, oldest first, with its routing chain: three reads at once,
 * read again only when the Stripe accounts had changed since (a connect, a disconnect).
 */
export async function connectionsOf(workspaceId: string, client: Client = db()): Promise<ConnectionsAndRouting> {
  let read = await readChain(client, workspaceId);
  if (await syncStripeConnections(client, workspaceId, read)) read = await readChain(client, workspaceId);
  const [, connections, routing] = read;
  return { connections, routing };
}

export function routingOf(routing: RoutingConfig | null): Routing | null {
  return routing ? { primaryConnectionId: routing.primaryConnectionId, secondaryConnectionId: routing.secondaryConnectionId } : null;
}

/** The connection of a workspace's Stripe account (made on first need). */
export async function stripeConnectionId(input: { workspaceId: string; stripeAccountId: string }): Promise<string | null> {
  const { connections } = await connectionsOf(input.workspaceId);
  return connections.find((c) => c.stripeAccountId === input.stripeAccountId)?.id ?? null;
}

/** A connection's credentials for its processor, decrypted for this call only. */
export function accountOf(connection: ProviderConnection): ProcessorAccount {
  return {
    connectionId: connection.id,
    livemode: connection.livemode,
    stripeAccountId: connection.stripeAccountId,
    apiKey: connection.apiKeyEncrypted ? decrypt(connection.apiKeyEncrypted) : null,
  };
}

/** A Dojo key's mode, by its documented prefix. */
function dojoLivemode(apiKey: string): boolean {
  if (apiKey.startsWith("sk_prod_")) return true;
  if (apiKey.startsWith("sk_sandbox_")) return false;
  throw new AppError("validation_failed", "A Dojo secret key starts with sk_prod_ or sk_sandbox_.");
}

/**
 * Adds a Dojo account by its secret key. The key is checked with a harmless read first (a refused
 * key is a 422 here, not a surprise at the customer's click); the connection is `setup_incomplete`
 * until a setup-test payment goes through it.
 */
export async function addDojoConnection(input: { workspaceId: string; label?: string; apiKey: string; webhookSecret: string }) {
  const livemode = dojoLivemode(input.apiKey);
  const account: ProcessorAccount = { connectionId: "new", livemode, apiKey: input.apiKey };
  try {
    await processorFor("dojo").verify(account);
  } catch (error) {
    if (error instanceof ProcessorUnavailableError && error.reason === "auth") {
      throw new AppError("provider_connection_invalid", "Dojo refused this API key. Copy the secret key again from Dojo's Developer Portal.");
    }
    if (error instanceof ProcessorUnavailableError) throw new AppError("provider_unavailable", "Dojo could not be reached to check the key. Try again in a minute.");
    throw error;
  }
  return db().providerConnection.create({
    data: {
      workspaceId: input.workspaceId,
      provider: "dojo",
      label: input.label?.trim() || `Dojo (${livemode ? "live" : "sandbox"})`,
      status: "setup_incomplete",
      livemode,
      apiKeyEncrypted: encrypt(input.apiKey),
      apiKeyLast4: input.apiKey.slice(-4),
      webhookSecretEncrypted: encrypt(input.webhookSecret),
    },
  });
}

/** The workspace's connection, or a 404 (another workspace's id is not found). */
export async function connectionFor(input: { workspaceId: string; connectionId: string }, client: Client = db()): Promise<ProviderConnection> {
  const connection = await client.providerConnection.findFirst({ where: { id: input.connectionId, workspaceId: input.workspaceId } });
  if (!connection) throw new AppError("connection_not_found", `No provider connection ${input.connectionId} in this workspace.`);
  return connection;
}

/**
 * Sets the routing chain. The primary must be connected (pay-links land on it); the secondary, if
 * any, a different connected one. Ids from another workspace are not found.
 */
export async function setRouting(input: { workspaceId: string; primaryConnectionId: string; secondaryConnectionId: string | null }) {
  if (input.secondaryConnectionId && input.secondaryConnectionId === input.primaryConnectionId) {
    throw new AppError("provider_connection_invalid", "The secondary must be a different connection from the primary.");
  }
  for (const id of [input.primaryConnectionId, input.secondaryConnectionId]) {
    if (!id) continue;
    const connection = await connectionFor({ workspaceId: input.workspaceId, connectionId: id });
    if (connection.status !== "connected") {
      throw new AppError("provider_connection_invalid", `${connection.label} is ${connection.status.replace("_", " ")}: only a connected provider can be in the routing chain.`);
    }
  }
  const data = { primaryConnectionId: input.primaryConnectionId, secondaryConnectionId: input.secondaryConnectionId };
  return db().routingConfig.upsert({ where: { workspaceId: input.workspaceId }, create: { workspaceId: input.workspaceId, ...data }, update: data });
}

/** A call to the connection failed the way that triggers fallback: kept on the connection for the dashboard (no secret in it). */
export async function recordConnectionFailure(input: { connectionId: string; message: string; reason: ProcessorUnavailableError["reason"] }) {
  await db().providerConnection.update({
    where: { id: input.connectionId },
    data: { lastFailureAt: now(), lastFailure: `${input.reason}: ${input.message}`.slice(0, 500) },
  });
}

/** A setup-test payment went through a connection: it is verified and ready for routing. */
export async function markConnectionVerified(tx: Tx, connectionId: string, at: Date) {
  await tx.providerConnection.updateMany({ where: { id: connectionId, status: "setup_incomplete" }, data: { status: "connected", verifiedAt: at } });
}
