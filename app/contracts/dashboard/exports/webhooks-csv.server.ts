// The webhooks page's delivery log, with the log's status and endpoint filters.
import { countWebhookDeliveries, listWebhookDeliveries, type deliveryView } from "~/domain/webhooks/delivery.server";
import { getWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import { AppError } from "~/domain/errors";
import { csvDate } from "~/domain/exports/csv";
import { LogQuerySchema } from "../webhooks-page.server";
import { csvDownload, exportZone } from "./csv-response.server";

const DELIVERY_HEADER = [
  "delivery_id",
  "event_id",
  "event_type",
  "endpoint_id",
  "endpoint_url",
  "status",
  "attempts",
  "replays",
  "last_response_status",
  "last_response_time_ms",
  "last_error",
  "created_at",
  "last_attempt_at",
  "next_retry_at",
  "delivered_at",
];

/** The endpoint's URL, if it is this workspace's; null otherwise. */
async function endpointUrlOf(workspaceId: string, id: string): Promise<string | null> {
  try {
    return (await getWebhookEndpoint({ workspaceId, id })).url;
  } catch (error) {
    if (error instanceof AppError && error.code === "webhook_endpoint_not_found") return null;
    throw error;
  }
}

/** The deliveries the URL's `status` and `endpoint` select, newest first; an endpoint not this workspace's filters nothing, as on the page. */
export async function exportWebhookDeliveriesCsv(input: { workspaceId: string; url: URL }): Promise<Response> {
  const { workspaceId } = input;
  const { zone, filename } = await exportZone(workspaceId, "webhook-deliveries");
  const search = input.url.searchParams;
  const query = LogQuerySchema.parse({ status: search.get("status") ?? undefined, endpoint: search.get("endpoint") ?? undefined, page: 1 });
  // A workspace has a handful of endpoints: each one's URL is read once, when its first delivery is.
  const urls = new Map<string, string | null>();
  if (query.endpoint) urls.set(query.endpoint, await endpointUrlOf(workspaceId, query.endpoint));
  const filter = { workspaceId, endpointId: query.endpoint && urls.get(query.endpoint) ? query.endpoint : undefined, status: query.status };
  const total = await countWebhookDeliveries(filter);
  return csvDownload({
    filename,
    header: DELIVERY_HEADER,
    total,
    fetch: async (after: ReturnType<typeof deliveryView> | null, size) => {
      const page = await listWebhookDeliveries({ ...filter, page: { mode: "cursor", limit: size, after } });
      for (const id of new Set(page.items.map((d) => d.endpointId))) if (!urls.has(id)) urls.set(id, await endpointUrlOf(workspaceId, id));
      return page.items;
    },
    toCells: (d) => [
      d.id,
      d.eventId,
      d.eventType,
      d.endpointId,
      urls.get(d.endpointId),
      d.status,
      d.attempts,
      d.replays,
      d.statusCode,
      d.responseTimeMs,
      d.error,
      csvDate(d.createdAt, zone),
      csvDate(d.lastAttemptAt, zone),
      csvDate(d.nextAttemptAt, zone),
      csvDate(d.deliveredAt, zone),
    ],
  });
}
