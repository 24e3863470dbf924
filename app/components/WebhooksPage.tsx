import { ConfirmModal } from "~/components/SettingsForm";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, EmptyState, InlineStack, Link, Page, Text } from "@shopify/polaris";
import { useCallback, useEffect, useState } from "react";
import { PageError } from "~/components/PageError";
import { useToast, type ShowToast } from "~/components/useToast";
import { RotateSecretModal, SecretModal, WebhookEndpointEditor, type LoadedEndpoint, type Revealed } from "~/components/WebhooksEditor";
import { DeliveryLog, logUrl } from "~/components/WebhooksLog";
import { formatDate } from "~/contracts/dashboard/format";
import type { WebhooksAction, WebhooksLoader } from "~/contracts/dashboard/webhooks-page.server";

// /dashboard/webhooks: where Recoup sends its events (ADR 0080). Each endpoint is tested, edited,
// turned on or off, has its signing secret rotated, or is deleted here; below, the delivery log.

type Loaded = Awaited<ReturnType<WebhooksLoader>>;

// An arrow from a box to a box, drawn here: no image host is reachable from every install.
const ILLUSTRATION =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="18" y="50" width="72" height="60" rx="10" fill="#e3e8ee"/><rect x="136" y="50" width="72" height="60" rx="10" fill="#c1c9d2"/><path d="M96 80h30" stroke="#1a56db" stroke-width="6" stroke-linecap="round"/><path d="M118 68l12 12-12 12" fill="none" stroke="#1a56db" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/></svg>`,
  );

function TestResult({ test, timeZone }: { test: { success: boolean; statusCode: number | null; responseTimeMs: number; error: string | null; at: string }; timeZone: string }) {
  const facts = [test.statusCode !== null ? `HTTP ${test.statusCode}` : "No HTTP answer", `${test.responseTimeMs} ms`, `sent ${formatDate(test.at, timeZone)}`].join(" · ");
  return (
    <Banner tone={test.success ? "success" : "critical"} title={test.success ? "Test event delivered" : "Test event not delivered"}>
      <p>{facts}</p>
      {test.error ? <p>{test.error}</p> : null}
    </Banner>
  );
}

function EndpointRow(props: { endpoint: LoadedEndpoint; loaded: Loaded; onEdit: () => void; onRotate: () => void; onToast: ShowToast }) {
  const { endpoint: e, loaded, onEdit, onRotate, onToast } = props;
  const fetcher = useFetcher<WebhooksAction>({ key: `webhook-endpoint-row-${e.id}` });
  const [confirming, setConfirming] = useState(false);
  const busy = fetcher.state !== "idle";
  const submit = (body: Record<string, unknown>) => fetcher.submit({ ...body, id: e.id }, { method: "post", encType: "application/json" });
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (answer) onToast(answer.ok ? answer.toast : answer.message, !answer.ok);
  }, [answer, onToast]);
  const test = answer?.ok ? answer.test : undefined;
  const readOnly = Boolean(loaded.readOnly);
  const byRecoup = !e.enabled && e.disabledReason && e.disabledReason !== "Disabled by the merchant.";
  return (
    <Box paddingBlock="300" borderBlockEndWidth="025" borderColor="border">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="start" gap="300" wrap>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center" wrap>
              <Text as="h3" variant="headingSm" breakWord>
                {e.url}
              </Text>
              <Badge tone={e.enabled ? "success" : "critical"}>{e.enabled ? "Enabled" : "Disabled"}</Badge>
            </InlineStack>
            {e.description ? (
              <Text as="p" breakWord>
                {e.description}
              </Text>
            ) : null}
            <Text as="p" variant="bodySm" tone="subdued" breakWord>
              {e.allEvents ? "All events" : e.events.join(", ")} · Added {formatDate(e.createdAt, loaded.timeZone)}
            </Text>
          </BlockStack>
          <InlineStack gap="200" wrap>
            <Button onClick={() => submit({ intent: "test" })} loading={busy && fetcher.json !== undefined && (fetcher.json as { intent?: string }).intent === "test"} disabled={readOnly}>
              Send test event
            </Button>
            <Button onClick={onEdit} disabled={readOnly}>
              Edit
            </Button>
            <Button onClick={onRotate} disabled={readOnly}>
              Rotate secret
            </Button>
            <Button onClick={() => submit({ intent: "toggle", enabled: !e.enabled })} disabled={readOnly || busy}>
              {e.enabled ? "Disable" : "Enable"}
            </Button>
            <Button tone="critical" onClick={() => setConfirming(true)} disabled={readOnly}>
              Delete
            </Button>
          </InlineStack>
        </InlineStack>
        {!e.enabled ? (
          <Banner tone={byRecoup ? "critical" : "warning"} title={byRecoup ? `Disabled by Recoup ${formatDate(e.disabledAt, loaded.timeZone)}` : "Disabled: no events are sent to it"}>
            {byRecoup ? <p>{e.disabledReason}</p> : null}
          </Banner>
        ) : e.failingSince ? (
          <Banner tone="warning" title={`Failing since ${formatDate(e.failingSince, loaded.timeZone)}`}>
            <p>Every attempt since then has failed. After three days without a success Recoup disables the endpoint.</p>
          </Banner>
        ) : null}
        {e.previousSecretExpiresAt ? (
          <Text as="p" variant="bodySm" tone="subdued">
            The previous signing secret also signs until {formatDate(e.previousSecretExpiresAt, loaded.timeZone)}.
          </Text>
        ) : null}
        {test ? <TestResult test={test} timeZone={loaded.timeZone} /> : null}
        <Text as="p" variant="bodySm">
          <Link url={logUrl({ status: null, endpoint: e.id })}>Its deliveries</Link>
        </Text>
      </BlockStack>
      <ConfirmModal
        open={confirming}
        title="Delete this endpoint?"
        action="Delete endpoint"
        busy={busy}
        onConfirm={() => {
          submit({ intent: "delete" });
          setConfirming(false);
        }}
        onClose={() => setConfirming(false)}
      >
          <Text as="p" breakWord>
            No more events are sent to {e.url}, events still waiting for it are dropped, and its delivery log is deleted. This can&apos;t be undone.
          </Text>
      </ConfirmModal>
    </Box>
  );
}

export function WebhooksPage() {
  const loaded = useLoaderData<WebhooksLoader>();
  const { toast, showToast } = useToast();
  const [editing, setEditing] = useState<{ endpoint: LoadedEndpoint | null } | null>(null);
  const [rotating, setRotating] = useState<LoadedEndpoint | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const closeEditor = useCallback(() => setEditing(null), []);
  const closeRotate = useCallback(() => setRotating(null), []);
  const add = () => setEditing({ endpoint: null });
  const readOnly = Boolean(loaded.readOnly);
  const empty = loaded.endpoints.length === 0;
  return (
    <Page title="Webhooks" subtitle="Recoup's events, sent to your own systems as they happen." primaryAction={empty ? undefined : { content: "Add endpoint", onAction: add, disabled: readOnly }}>
      <BlockStack gap="400">
        {loaded.readOnly ? <Banner tone="info">{loaded.readOnly}</Banner> : null}
        {empty ? (
          <Card>
            <EmptyState heading="No webhook endpoints yet" image={ILLUSTRATION} action={{ content: "Add endpoint", onAction: add, disabled: readOnly }}>
              <p>
                A webhook endpoint is a URL of yours that Recoup calls whenever something happens: a payment fails or is recovered, a recovery starts or is given up on, a pay-link is paid. Each
                event is signed with the endpoint&apos;s secret and retried for about three days until your system answers.
              </p>
            </EmptyState>
          </Card>
        ) : (
          <Card>
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                Endpoints
              </Text>
              {loaded.endpointsTotal > loaded.endpoints.length ? (
                <Text as="p" tone="subdued" variant="bodySm">
                  The newest {loaded.endpoints.length} of {loaded.endpointsTotal}; GET /api/v1/webhooks/endpoints lists them all.
                </Text>
              ) : null}
              <div>
                {loaded.endpoints.map((endpoint) => (
                  <EndpointRow key={endpoint.id} endpoint={endpoint} loaded={loaded} onEdit={() => setEditing({ endpoint })} onRotate={() => setRotating(endpoint)} onToast={showToast} />
                ))}
              </div>
            </BlockStack>
          </Card>
        )}
        {/* An endpoint's deliveries go with it: without endpoints the log is empty. */}
        {empty ? null : <DeliveryLog loaded={loaded} onToast={showToast} />}
      </BlockStack>
      <WebhookEndpointEditor endpoint={editing?.endpoint ?? null} open={editing !== null} onClose={closeEditor} onSaved={showToast} onSecret={setRevealed} loaded={loaded} />
      <RotateSecretModal endpoint={rotating} onClose={closeRotate} onSaved={showToast} onSecret={setRevealed} loaded={loaded} />
      <SecretModal revealed={revealed} onClose={() => setRevealed(null)} onCopied={showToast} />
      {toast}
    </Page>
  );
}

export function WebhooksPageError() {
  return <PageError title="Webhooks" heading="The webhooks could not be shown" />;
}
