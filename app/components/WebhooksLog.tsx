import { useFetcher, useNavigate } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, Collapsible, InlineGrid, InlineStack, Pagination, Select, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { ExportButton } from "~/components/ExportButton";
import type { ShowToast } from "~/components/useToast";
import { formatDate } from "~/contracts/dashboard/format";
import type { WebhooksAction, WebhooksLoader } from "~/contracts/dashboard/webhooks-page.server";

// The delivery log: each event sent to each endpoint, newest first, by status and endpoint, a page
// at a time; the last answer (status code, error, the first kilobyte of the body) and a Replay button.

type Loaded = Awaited<ReturnType<WebhooksLoader>>;
type Delivery = Loaded["log"]["items"][number];

const STATUS: Record<string, { label: string; tone: "success" | "critical" | "attention" }> = {
  delivered: { label: "Delivered", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  pending: { label: "Pending", tone: "attention" },
};

export const BASE = "/dashboard/webhooks";

export function logUrl(filter: { status: string | null; endpoint: string | null }, page = 1): string {
  const params = new URLSearchParams();
  if (filter.status) params.set("status", filter.status);
  if (filter.endpoint) params.set("endpoint", filter.endpoint);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return `${BASE}${search ? `?${search}` : ""}`;
}

/** The log's export, with the filters it shows now (every page of it). */
export function logExportUrl(filter: { status: string | null; endpoint: string | null }): string {
  const params = new URLSearchParams();
  if (filter.status) params.set("status", filter.status);
  if (filter.endpoint) params.set("endpoint", filter.endpoint);
  const search = params.toString();
  return `/dashboard/export/webhook-deliveries.csv${search ? `?${search}` : ""}`;
}

function replayRefusal(d: Delivery, readOnly: string | null): string | null {
  if (readOnly) return null;
  if (d.attempts === 0) return "Not sent yet: its first attempt is on its way.";
  if (!d.endpointEnabled) return "Its endpoint is disabled: enable it to replay.";
  return null;
}

function DeliveryRow({ d, loaded, onToast }: { d: Delivery; loaded: Loaded; onToast: ShowToast }) {
  const fetcher = useFetcher<WebhooksAction>({ key: `webhook-replay-${d.id}` });
  const [open, setOpen] = useState(false);
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (answer) onToast(answer.ok ? answer.toast : answer.message, !answer.ok);
  }, [answer, onToast]);
  const { timeZone } = loaded;
  const status = STATUS[d.status] ?? { label: d.status, tone: "attention" as const };
  const refusal = replayRefusal(d, loaded.readOnly);
  const answerWords = [
    d.statusCode !== null ? `HTTP ${d.statusCode}` : d.attempts ? "No HTTP answer" : "Not sent yet",
    d.responseTimeMs !== null ? `${d.responseTimeMs} ms` : null,
    `${d.attempts} attempt${d.attempts === 1 ? "" : "s"}${d.replays ? ` (${d.replays} replay${d.replays === 1 ? "" : "s"})` : ""}`,
  ].filter(Boolean);
  const bodyId = `webhook-response-${d.id}`;
  return (
    <Box paddingBlock="300" paddingInline="400" borderBlockEndWidth="025" borderColor="border">
      <BlockStack gap="150">
        <InlineStack align="space-between" blockAlign="start" gap="200" wrap>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center" wrap>
              <Text as="h3" variant="headingSm" breakWord>
                {d.eventType}
              </Text>
              <Badge tone={status.tone}>{status.label}</Badge>
            </InlineStack>
            <Text as="p" variant="bodySm" tone="subdued" breakWord>
              To {d.endpointUrl} · {formatDate(d.createdAt, timeZone)}
            </Text>
          </BlockStack>
          <Button
            onClick={() => fetcher.submit({ intent: "replay", id: d.id }, { method: "post", encType: "application/json" })}
            loading={fetcher.state !== "idle"}
            disabled={Boolean(loaded.readOnly) || Boolean(refusal)}
            accessibilityLabel={`Replay ${d.eventType} to ${d.endpointUrl}`}
          >
            Replay
          </Button>
        </InlineStack>
        <Text as="p" variant="bodySm">
          {answerWords.join(" · ")}
          {d.lastAttemptAt ? ` · last ${formatDate(d.lastAttemptAt, timeZone)}` : ""}
          {d.nextAttemptAt ? ` · next attempt ${formatDate(d.nextAttemptAt, timeZone)}` : ""}
        </Text>
        {d.error ? (
          <Text as="p" variant="bodySm" tone="critical" breakWord>
            {d.error}
          </Text>
        ) : null}
        {refusal ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {refusal}
          </Text>
        ) : null}
        {d.responseBody ? (
          <BlockStack gap="100" inlineAlign="start">
            <Button variant="plain" onClick={() => setOpen((o) => !o)} ariaExpanded={open} ariaControls={bodyId}>
              {open ? "Hide response body" : "Show response body"}
            </Button>
            <Collapsible id={bodyId} open={open}>
              <Box background="bg-surface-secondary" padding="200" borderRadius="200">
                <pre style={{ margin: 0, whiteSpace: "pre-wrap", overflowWrap: "anywhere", fontSize: 12 }}>{d.responseBody}</pre>
              </Box>
              <Text as="p" variant="bodySm" tone="subdued">
                The first kilobyte of the answer.
              </Text>
            </Collapsible>
          </BlockStack>
        ) : null}
      </BlockStack>
    </Box>
  );
}

export function DeliveryLog({ loaded, onToast }: { loaded: Loaded; onToast: ShowToast }) {
  const navigate = useNavigate();
  const { log } = loaded;
  const go = (filter: { status: string | null; endpoint: string | null }, page = 1) => navigate(logUrl(filter, page), { preventScrollReset: true });
  const filtered = Boolean(log.filter.status || log.filter.endpoint);
  return (
    <Card padding="0">
      <Box padding="400" borderBlockEndWidth="025" borderColor="border">
        <BlockStack gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Delivery log
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              Newest first; times in {loaded.timeZone}. A failed attempt is retried over about three days; Replay sends the same event (the same id) again now.
            </Text>
          </BlockStack>
          <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
            <Select
              label="Status"
              options={[
                { label: "All", value: "" },
                { label: "Delivered", value: "delivered" },
                { label: "Failed", value: "failed" },
                { label: "Pending (not sent yet, or retrying)", value: "pending" },
              ]}
              value={log.filter.status ?? ""}
              onChange={(status) => go({ ...log.filter, status: status || null })}
            />
            <Select
              label="Endpoint"
              options={[{ label: "All endpoints", value: "" }, ...loaded.endpoints.map((e) => ({ label: e.description ? `${e.description} (${e.url})` : e.url, value: e.id }))]}
              value={log.filter.endpoint ?? ""}
              onChange={(endpoint) => go({ ...log.filter, endpoint: endpoint || null })}
            />
          </InlineGrid>
          {log.total > 0 ? (
            <InlineStack align="end">
              <ExportButton url={logExportUrl(log.filter)} filename="webhook-deliveries.csv" />
            </InlineStack>
          ) : null}
        </BlockStack>
      </Box>
      {log.items.length === 0 ? (
        <Box padding="400">
          <Text as="p" tone="subdued">
            {filtered ? "No delivery matches these filters." : "Nothing sent yet. Each event sent to an endpoint appears here, with the endpoint's answer."}
          </Text>
        </Box>
      ) : (
        <div role="list" aria-label="Deliveries">
          {log.items.map((d) => (
            <div role="listitem" key={d.id}>
              <DeliveryRow d={d} loaded={loaded} onToast={onToast} />
            </div>
          ))}
        </div>
      )}
      {log.totalPages > 1 ? (
        <Box padding="400">
          <InlineStack align="center" blockAlign="center" gap="300">
            <Pagination
              hasPrevious={log.page > 1}
              onPrevious={() => go(log.filter, log.page - 1)}
              hasNext={log.page < log.totalPages}
              onNext={() => go(log.filter, log.page + 1)}
              label={`Page ${log.page} of ${log.totalPages}`}
            />
          </InlineStack>
        </Box>
      ) : null}
    </Card>
  );
}
