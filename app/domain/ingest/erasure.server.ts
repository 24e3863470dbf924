// GDPR erasure, the part kept by ingest and outbound webhooks: called by app/domain/privacy's
// eraseCustomer inside its transaction. Ingested events naming the customer keep their row (so a
// redelivery is still a duplicate) without the payload; outbound events about the customer's
// payments go, with their deliveries and any job still waiting to send them.
import type { Tx } from "~/utils/db.server";

export async function eraseIngestAndWebhookData(input: { tx: Tx; workspaceId: string; needles: string[]; recoveryIds: string[] }) {
  const { tx, workspaceId, needles, recoveryIds } = input;
  const named = `EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE payload::text LIKE '%' || n || '%')`;
  const ingested = await tx.$queryRawUnsafe<Array<{ id: string }>>(
    `UPDATE "IngestedPaymentEvent" SET payload = jsonb_build_object('redacted', true), "externalId" = NULL
     WHERE "workspaceId" = $1 AND ("recoveryAttemptId" = ANY($3::text[]) OR ${named}) RETURNING id`,
    workspaceId,
    needles,
    recoveryIds,
  );
  const events = await tx.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT id FROM "WebhookEvent" WHERE "workspaceId" = $1 AND ("recoveryAttemptId" = ANY($3::text[]) OR ${named})`,
    workspaceId,
    needles,
    recoveryIds,
  );
  const eventIds = events.map((e) => e.id);
  const deliveries = await tx.webhookDelivery.findMany({ where: { eventId: { in: eventIds } }, select: { id: true } });
  const jobKeys = [...eventIds, ...deliveries.map((d) => d.id), ...ingested.map((e) => e.id)];
  if (jobKeys.length) {
    for (const table of ["job", "archive"]) {
      await tx.$executeRawUnsafe(
        `DELETE FROM pgboss.${table} WHERE data->>'eventId' = ANY($1::text[]) OR data->>'deliveryId' = ANY($1::text[]) OR data->>'ingestEventId' = ANY($1::text[])`,
        jobKeys,
      );
    }
  }
  await tx.webhookEvent.deleteMany({ where: { id: { in: eventIds } } });
  return { ingestedRedacted: ingested.length, webhookEventsDeleted: eventIds.length };
}
