import { providerFor } from "./providers.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { customerReason } from "./customer-page.server";

export type TimelineEntry =
  | { at: string; kind: "failure"; source: "platform" | "recoup" | "customer"; attemptNumber: number; declineCode: string | null; message: string | null; status: string }
  | { at: string; kind: "email"; messageId: string; emailKind: string; subject: string; status: string; openedAt: string | null; clickedAt: string | null }
  | { at: string; kind: "charge_succeeded"; source: string; attemptNumber: number }
  | { at: string; kind: "outcome"; outcome: string; reasonCode: string | null };

// Stripe stamps a payment to the second and our own rows to the millisecond: within one second,
// the charge that succeeded and the outcome it caused come after whatever else happened.
const KIND_ORDER: Record<TimelineEntry["kind"], number> = { failure: 0, email: 0, charge_succeeded: 1, outcome: 2 };
const bySecondThenKind = (a: TimelineEntry, b: TimelineEntry) =>
  a.at.slice(0, 19).localeCompare(b.at.slice(0, 19)) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.at.localeCompare(b.at);

/**
 * A recovery with everything that happened to it, oldest first: each charge
 * attempt and its decline, each email and its opens/clicks, the outcome; and
 * what happens next, in the merchant's words.
 */
export async function getRecoveryTimeline(input: { workspaceId: string; recoveryId: string }) {
  const recovery = await db().recovery.findFirst({
    where: { id: input.recoveryId, workspaceId: input.workspaceId },
    include: {
      retries: { orderBy: { attemptedAt: "asc" } },
      messages: { orderBy: { createdAt: "asc" } },
      outcomes: true,
      customer: true,
      workspace: true,
    },
  });
  if (!recovery) throw new AppError("recovery_not_found", "No such recovery in this workspace.");

  const entries: TimelineEntry[] = [];
  for (const r of recovery.retries) {
    if (r.status === "succeeded") {
      entries.push({ at: r.attemptedAt.toISOString(), kind: "charge_succeeded", source: r.source, attemptNumber: r.attemptNumber });
    } else {
      entries.push({
        at: r.attemptedAt.toISOString(),
        kind: "failure",
        source: r.source as "platform" | "recoup" | "customer",
        attemptNumber: r.attemptNumber,
        declineCode: r.declineCode ?? r.errorCode,
        message: r.errorMessage,
        status: r.status,
      });
    }
  }
  for (const m of recovery.messages) {
    if (m.status === "skipped" && !m.sentAt) continue;
    entries.push({
      at: (m.sentAt ?? m.scheduledFor).toISOString(),
      kind: "email",
      messageId: m.id,
      emailKind: m.kind,
      subject: m.subject,
      status: m.status,
      openedAt: m.openedAt?.toISOString() ?? null,
      clickedAt: m.clickedAt?.toISOString() ?? null,
    });
  }
  for (const o of recovery.outcomes) {
    entries.push({ at: o.occurredAt.toISOString(), kind: "outcome", outcome: o.outcome, reasonCode: o.reasonCode });
  }
  entries.sort(bySecondThenKind);

  return {
    // Rows as stored; each surface names them its way (contracts/dunningdog/dto.ts: recoveryTimelineDto).
    recovery,
    latestOutcome: recovery.outcomes[0] ?? null,
    customer: recovery.customer ? { id: recovery.customer.externalId, email: recovery.customer.email, name: recovery.customer.name } : null,
    card: recovery.cardLast4 ? { brand: recovery.cardBrand, last4: recovery.cardLast4 } : null,
    paused: recovery.paused,
    nextAction: recovery.status === "pending" ? { kind: recovery.nextActionKind, at: recovery.nextActionAt?.toISOString() ?? null, reason: recovery.nextActionReason } : null,
    declineCode: recovery.declineCode ?? recovery.errorCode,
    reasonForCustomer: customerReason(recovery),
    hostedInvoiceUrl: recovery.hostedInvoiceUrl,
    provider: recovery.provider === "shopify" ? ("shopify" as const) : ("stripe" as const),
    /** The platform and its references in the merchant's words (a Shopify contract, a Stripe invoice). */
    platform: providerFor(recovery.provider).references(recovery),
    timeZone: recovery.workspace.timezone,
    entries,
  };
}

/** The recoveries of one Stripe customer or invoice (the Stripe App's detail views). */
export async function findRecoveriesFor(input: { workspaceId: string; externalCustomerId?: string; externalId?: string; status?: "pending" }) {
  const rows = await db().recovery.findMany({
    where: {
      workspaceId: input.workspaceId,
      ...(input.status ? { status: input.status } : {}),
      ...(input.externalCustomerId ? { externalCustomerId: input.externalCustomerId } : {}),
      ...(input.externalId ? { externalId: input.externalId } : {}),
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: 20,
  });
  return rows;
}
