import { randomBytes } from "node:crypto";
import { eraseIngestAndWebhookData } from "~/domain/ingest/erasure.server";
import { eraseCustomerRecords } from "~/domain/recovery/commands.server";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { log } from "~/utils/logger.server";

export interface ErasureResult {
  customers: number;
  recoveriesAnonymised: number;
  messagesDeleted: number;
  eventsRedacted: number;
  jobsDeleted: number;
}

const erasedRef = () => `erased_${randomBytes(8).toString("hex")}`;

/**
 * GDPR erasure of one customer of one workspace (LostChurn `DELETE /v1/customers/:id`,
 * Shopify `customers/redact`): every row and pending job about them is deleted
 * or anonymised. Recoveries stay as anonymous amounts so the merchant's totals
 * do not change; emails, card details and raw events that name the customer go.
 */
export async function eraseCustomer(input: {
  workspaceId: string;
  /** Only this mode's customer and payments (an API key erases in its own mode, ADR 0032); unset: both. */
  livemode?: boolean;
  externalId?: string | null;
  email?: string | null;
  /** Only used to find stored API answers that quote the customer; never a key on its own. */
  name?: string | null;
}): Promise<ErasureResult> {
  const keys = [input.externalId, input.email].filter((k): k is string => Boolean(k && k.trim()));
  if (keys.length === 0) throw new AppError("validation_failed", "Name the customer to erase by id or email.");
  return db().$transaction(async (tx) => {
    const customers = await tx.customer.findMany({
      where: {
        workspaceId: input.workspaceId,
        livemode: input.livemode,
        OR: [...(input.externalId ? [{ externalId: input.externalId }] : []), ...(input.email ? [{ email: input.email }] : [])],
      },
    });
    const externalIds = [...new Set([...customers.map((c) => c.externalId), ...(input.externalId ? [input.externalId] : [])])];
    const emails = [...new Set([...customers.map((c) => c.email).filter((e): e is string => Boolean(e)), ...(input.email ? [input.email] : [])])];
    const recoveries = await tx.recovery.findMany({
      where: { workspaceId: input.workspaceId, livemode: input.livemode, OR: [{ customerId: { in: customers.map((c) => c.id) } }, { externalCustomerId: { in: externalIds } }] },
      select: { id: true, externalSubscriptionId: true },
    });
    const recoveryIds = recoveries.map((r) => r.id);
    const messages = await tx.dunningMessage.findMany({ where: { recoveryId: { in: recoveryIds } }, select: { id: true } });

    // Pending and archived jobs, whatever their queue, that name those recoveries, messages or
    // customers (ids unique to this workspace), or the customer's PSP id or email together with
    // this workspace (the same address may be another merchant's customer too).
    const jobIds = [...recoveryIds, ...messages.map((m) => m.id), ...customers.map((c) => c.id)];
    const contacts = [...externalIds, ...emails];
    let jobsDeleted = 0;
    if (jobIds.length > 0 || contacts.length > 0) {
      for (const table of ["job", "archive"]) {
        jobsDeleted += await tx.$executeRawUnsafe(
          `DELETE FROM pgboss.${table}
            WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) n WHERE data::text LIKE '%' || n || '%')
               OR (data::text LIKE '%' || $3 || '%' AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE data::text LIKE '%' || n || '%'))`,
          jobIds,
          contacts,
          input.workspaceId,
        );
      }
    }
    const messagesDeleted = (await tx.dunningMessage.deleteMany({ where: { recoveryId: { in: recoveryIds } } })).count;
    // The engine owns recovery state: it closes them for good and anonymises them and their charge
    // attempts (ADR 0006, amended), and deletes the customer rows and their subscriptions at risk.
    const customersDeleted = await eraseCustomerRecords({
      tx,
      workspaceId: input.workspaceId,
      customerIds: customers.map((c) => c.id),
      externalCustomerIds: externalIds,
      emails,
      recoveryIds,
      at: now(),
      ref: erasedRef,
    });
    // Raw webhook payloads (Stripe's and Shopify's) naming the customer are redacted; the rows stay for dedupe.
    const needles = [...externalIds, ...emails];
    const eventsRedacted = needles.length
      ? await tx.$executeRawUnsafe(
          `UPDATE "StripeEvent" SET payload = jsonb_build_object('id', "eventId", 'type', type, 'redacted', true)
           WHERE ("workspaceId" = $1 OR "stripeAccountId" IN (SELECT "stripeAccountId" FROM "ConnectedStripeAccount" WHERE "workspaceId" = $1))
             AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE payload::text LIKE '%' || n || '%')`,
          input.workspaceId,
          needles,
        )
      : 0;
    if (needles.length) {
      await tx.$executeRawUnsafe(
        `UPDATE "ShopifyWebhook" SET payload = jsonb_build_object('redacted', true)
         WHERE "workspaceId" = $1 AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE payload::text LIKE '%' || n || '%')`,
        input.workspaceId,
        needles,
      );
    }
    await eraseIngestAndWebhookData({ tx, workspaceId: input.workspaceId, needles, recoveryIds });
    // Stored API answers (Idempotency-Key replays) that quote the customer: a replay then runs afresh.
    const quoted = [...needles, ...customers.map((c) => c.id), ...[input.name, ...customers.map((c) => c.name)].filter((n): n is string => Boolean(n && n.trim().length >= 3))];
    if (quoted.length) {
      await tx.$executeRawUnsafe(
        `DELETE FROM "ApiIdempotencyKey" WHERE "workspaceId" = $1 AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE "responseBody" LIKE '%' || n || '%')`,
        input.workspaceId,
        quoted,
      );
    }
    log.info("customer erased", { workspaceId: input.workspaceId, recoveries: recoveryIds.length });
    return { customers: customersDeleted, recoveriesAnonymised: recoveryIds.length, messagesDeleted, eventsRedacted, jobsDeleted };
  });
}
