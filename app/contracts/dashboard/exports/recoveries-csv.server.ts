// The overview's recoveries with the list's filters, and the customers with the list's search.
import { csvDate, csvMoney } from "~/domain/exports/csv";
import { db } from "~/utils/db.server";
import { CustomerListQuerySchema, customerWhere, findCustomerRows } from "../customers.server";
import { failureReasonOf, findRecoveryRows, recoveryFiltersOf, recoveryWhere } from "../recoveries.server";
import { csvDownload, exportZone } from "./csv-response.server";

const RECOVERY_HEADER = [
  "recovery_id",
  "invoice_id",
  "customer_id",
  "customer_external_id",
  "customer_name",
  "customer_email",
  "status",
  "paused",
  "amount_due",
  "recovered_amount",
  "currency",
  "decline_category",
  "decline_code",
  "failure_reason",
  "provider",
  "campaign",
  "failed_at",
  "ended_at",
  "next_action_at",
];

/** The recoveries the URL's filters select, newest first. */
export async function exportRecoveriesCsv(input: { workspaceId: string; url: URL }): Promise<Response> {
  const { zone, filename } = await exportZone(input.workspaceId, "recoveries");
  const where = recoveryWhere({ workspaceId: input.workspaceId, timeZone: zone, filters: recoveryFiltersOf(input.url) });
  const total = await db().recovery.count({ where });
  return csvDownload({
    filename,
    header: RECOVERY_HEADER,
    total,
    fetch: (after: Awaited<ReturnType<typeof findRecoveryRows>>[number] | null, size) => findRecoveryRows({ where, after, take: size }),
    toCells: (r) => [
      r.id,
      r.externalId,
      r.customer?.id,
      r.externalCustomerId,
      r.customer?.name,
      r.customer?.email,
      r.status,
      r.paused,
      csvMoney(r.amountDueMinor, r.currency),
      csvMoney(r.recoveredAmountMinor, r.currency),
      r.currency.toUpperCase(),
      r.declineCategory,
      r.declineCode,
      failureReasonOf(r),
      r.provider,
      r.sequence?.name,
      csvDate(r.startedAt, zone),
      csvDate(r.endedAt, zone),
      csvDate(r.nextActionAt, zone),
    ],
  });
}

const CUSTOMER_HEADER = ["customer_id", "external_id", "provider", "name", "email", "country", "timezone", "card_on_file", "created_at"];

/** The customers the URL's search selects, newest first. */
export async function exportCustomersCsv(input: { workspaceId: string; url: URL }): Promise<Response> {
  const { zone, filename } = await exportZone(input.workspaceId, "customers");
  const { q } = CustomerListQuerySchema.parse(Object.fromEntries(input.url.searchParams));
  const where = customerWhere({ workspaceId: input.workspaceId, q });
  const total = await db().customer.count({ where });
  return csvDownload({
    filename,
    header: CUSTOMER_HEADER,
    total,
    fetch: (after: Awaited<ReturnType<typeof findCustomerRows>>[number] | null, size) => findCustomerRows({ where, after, take: size }),
    toCells: (c) => [c.id, c.externalId, c.provider, c.name, c.email, c.country, c.timezone, c.defaultPaymentMethodId !== null, csvDate(c.createdAt, zone)],
  });
}
