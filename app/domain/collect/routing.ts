// Pay-link routing and lifecycle rules (ADR 0075), pure: which provider connection a click lands
// on, when fallback triggers, how often a link's override may change, what status a link shows.

export type ConnectionStatus = "setup_incomplete" | "connected" | "disconnected";

export interface RoutableConnection {
  id: string;
  status: string;
}

export interface Routing {
  primaryConnectionId: string | null;
  secondaryConnectionId: string | null;
}

export interface RoutedLink {
  providerOverrideId: string | null;
  fallbackTriggeredAt: Date | null;
  isSetupTest: boolean;
}

/** How the click's connection was chosen, for the link's history and the dashboard. */
export type ResolvedBy = "override" | "fallback" | "primary" | "secondary";

export interface Resolution {
  connectionId: string | null;
  by: ResolvedBy | null;
}

/**
 * Whether a click may land on the connection: connected ones; a setup-test link also lands on its
 * own `setup_incomplete` override (that payment is what verifies it). Never a disconnected one.
 */
export function usable(connection: RoutableConnection | undefined, link: Pick<RoutedLink, "isSetupTest">, asOverride = false): boolean {
  if (!connection) return false;
  if (connection.status === "connected") return true;
  return asOverride && link.isSetupTest && connection.status === "setup_incomplete";
}

/**
 * Override → fallback-triggered → tenant chain, live on every read. The override pins the link
 * while its connection is usable; one that was disconnected since falls through to the chain (a
 * customer holding the link can still pay). Once fallback triggered, the link stays on the
 * secondary. The chain is the primary, else the secondary when the primary is unusable.
 */
export function resolveConnection(link: RoutedLink, routing: Routing | null, connections: readonly RoutableConnection[]): Resolution {
  const byId = new Map(connections.map((c) => [c.id, c]));
  if (link.providerOverrideId && usable(byId.get(link.providerOverrideId), link, true)) return { connectionId: link.providerOverrideId, by: "override" };
  const primary = routing?.primaryConnectionId ?? null;
  const secondary = routing?.secondaryConnectionId ?? null;
  if (link.fallbackTriggeredAt && secondary && usable(byId.get(secondary), link)) return { connectionId: secondary, by: "fallback" };
  if (primary && usable(byId.get(primary), link)) return { connectionId: primary, by: "primary" };
  if (secondary && usable(byId.get(secondary), link)) return { connectionId: secondary, by: "secondary" };
  return { connectionId: null, by: null };
}

/**
 * Whether a failure of `failedConnectionId` on this click triggers the link's fallback: the chain's
 * primary failed (not an override the creator pinned), a secondary exists to go to, and the link
 * has not fallen back already.
 */
export function triggersFallback(link: RoutedLink, routing: Routing | null, failedConnectionId: string, by: ResolvedBy | null): boolean {
  return by === "primary" && !link.fallbackTriggeredAt && routing?.primaryConnectionId === failedConnectionId && Boolean(routing.secondaryConnectionId);
}

/** Flow Arc: at most 3 override changes per link per 10 minutes. */
export const OVERRIDE_CHANGES_PER_WINDOW = 3;
export const OVERRIDE_WINDOW_MS = 10 * 60 * 1000;

/** When the next override change is allowed (null: now), given the link's earlier changes. */
export function nextOverrideChangeAt(changesAt: readonly Date[], now: Date): Date | null {
  const recent = changesAt.filter((at) => now.getTime() - at.getTime() < OVERRIDE_WINDOW_MS).sort((a, b) => a.getTime() - b.getTime());
  if (recent.length < OVERRIDE_CHANGES_PER_WINDOW) return null;
  return new Date(recent[recent.length - OVERRIDE_CHANGES_PER_WINDOW]!.getTime() + OVERRIDE_WINDOW_MS);
}

export type PaymentRequestStatus = "open" | "succeeded" | "cancelled" | "expired";

/** The stored status, with `expired` for an open link past its expiry (no job has to flip it). */
export function statusOf(link: { status: string; expiresAt: Date | null }, now: Date): PaymentRequestStatus {
  if (link.status === "open" && link.expiresAt && link.expiresAt.getTime() <= now.getTime()) return "expired";
  return link.status as PaymentRequestStatus;
}
