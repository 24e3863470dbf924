import { ConfirmModal } from "~/components/SettingsForm";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, IndexTable, InlineStack, Page, Text } from "@shopify/polaris";
import { useCallback, useEffect, useState } from "react";
import { AlertRuleEditor, WORDS, type LoadedRule } from "~/components/AlertsEditor";
import { ExportButton } from "~/components/ExportButton";
import { PageError } from "~/components/PageError";
import { useToast } from "~/components/useToast";
import { formatDate } from "~/contracts/dashboard/format";
import type { AlertsAction, AlertsLoader } from "~/contracts/dashboard/alerts-page.server";

// /dashboard/alerts: the workspace's alert rules (Flow Arc's, ADR 0077), each turned on or off,
// edited or deleted here; and what they sent lately, with why a send failed.

type Loaded = Awaited<ReturnType<AlertsLoader>>;

const STATUS_TONE: Record<string, "success" | "critical" | "attention" | undefined> = { sent: "success", failed: "critical", pending: "attention" };

function recipientsOf(rule: LoadedRule, endpoints: Loaded["endpoints"]): string {
  if (rule.channel === "webhook") return endpoints.find((e) => e.id === rule.webhookEndpointId)?.label ?? "No endpoint";
  if (rule.channel === "sms") return rule.recipientPhones.join(", ");
  const roles = rule.recipientRoles.map((r) => `every ${r}`);
  if (rule.channel === "in_app") return roles.length ? roles.join(", ") : "every member";
  return [...rule.recipientEmails, ...roles].join(", ");
}

function RuleRow({ rule, loaded, onEdit, onToast }: { rule: LoadedRule; loaded: Loaded; onEdit: () => void; onToast: (message: string, error?: boolean) => void }) {
  const fetcher = useFetcher<AlertsAction>({ key: `alert-rule-row-${rule.id}` });
  const [confirming, setConfirming] = useState(false);
  const busy = fetcher.state !== "idle";
  const submit = (body: Record<string, unknown>) => fetcher.submit({ ...body, id: rule.id }, { method: "post", encType: "application/json" });
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (answer) onToast(answer.ok ? answer.toast : answer.message, !answer.ok);
  }, [answer, onToast]);
  return (
    <Box paddingBlock="300" borderBlockEndWidth="025" borderColor="border">
      <InlineStack align="space-between" blockAlign="center" gap="300" wrap>
        <BlockStack gap="100">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm" breakWord>
              {rule.name}
            </Text>
            <Badge tone={rule.enabled ? "success" : undefined}>{rule.enabled ? "On" : "Off"}</Badge>
          </InlineStack>
          <Text as="p" tone="subdued" variant="bodySm">
            {WORDS[rule.eventType]} → {WORDS[rule.channel]} · {WORDS[rule.cadence]} · {recipientsOf(rule, loaded.endpoints)}
          </Text>
        </BlockStack>
        <InlineStack gap="200">
          <Button onClick={() => submit({ intent: "toggle", enabled: !rule.enabled })} loading={busy} disabled={Boolean(loaded.readOnly)}>
            {rule.enabled ? "Turn off" : "Turn on"}
          </Button>
          <Button onClick={onEdit} disabled={Boolean(loaded.readOnly)}>
            Edit
          </Button>
          <Button tone="critical" onClick={() => setConfirming(true)} disabled={Boolean(loaded.readOnly)}>
            Delete
          </Button>
        </InlineStack>
      </InlineStack>
      <ConfirmModal
        open={confirming}
        title={`Delete “${rule.name}”?`}
        action="Delete rule"
        busy={busy}
        onConfirm={() => {
          submit({ intent: "delete" });
          setConfirming(false);
        }}
        onClose={() => setConfirming(false)}
      >
          <Text as="p">No more alerts are sent for it, and those not sent yet are dropped. This can&apos;t be undone.</Text>
      </ConfirmModal>
    </Box>
  );
}

function RecentDispatches({ loaded }: { loaded: Loaded }) {
  const { dispatches, timeZone } = loaded;
  if (dispatches.length === 0) {
    return (
      <Card>
        <Text as="p" tone="subdued">
          Nothing sent yet. Alerts appear here as rules fire.
        </Text>
      </Card>
    );
  }
  return (
    <Card padding="0">
      <IndexTable
        resourceName={{ singular: "alert", plural: "alerts" }}
        itemCount={dispatches.length}
        selectable={false}
        headings={[{ title: "When" }, { title: "Rule" }, { title: "About" }, { title: "Channel" }, { title: "Status" }, { title: "Why not sent" }]}
      >
        {dispatches.map((d, index) => (
          <IndexTable.Row id={d.id} key={d.id} position={index}>
            <IndexTable.Cell>{formatDate(d.sentAt ?? d.createdAt, timeZone)}</IndexTable.Cell>
            <IndexTable.Cell>{d.ruleName}</IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" breakWord>
                {d.about}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>{WORDS[d.channel] ?? d.channel}</IndexTable.Cell>
            <IndexTable.Cell>
              <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" tone="subdued" breakWord>
                {d.error ?? ""}
              </Text>
            </IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
    </Card>
  );
}

export function AlertsPage() {
  const loaded = useLoaderData<AlertsLoader>();
  const { toast, showToast } = useToast();
  const [editing, setEditing] = useState<{ rule: LoadedRule | null } | null>(null);
  const close = useCallback(() => setEditing(null), []);
  return (
    <Page title="Alerts" primaryAction={{ content: "New alert rule", onAction: () => setEditing({ rule: null }), disabled: Boolean(loaded.readOnly) }}>
      <BlockStack gap="400">
        {loaded.readOnly ? <Banner tone="info">{loaded.readOnly}</Banner> : null}
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Rules
            </Text>
            {loaded.rules.length === 0 ? (
              <Text as="p" tone="subdued">
                No alert rule yet. A rule tells you, or your systems, when a payment fails, is recovered or is given up on: at once, or in a digest each morning.
              </Text>
            ) : (
              <div>
                {loaded.rules.map((rule) => (
                  <RuleRow key={rule.id} rule={rule} loaded={loaded} onEdit={() => setEditing({ rule })} onToast={showToast} />
                ))}
              </div>
            )}
          </BlockStack>
        </Card>
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <InlineStack align="space-between" blockAlign="start" gap="200">
            <Text as="h2" variant="headingMd">
              Recently sent
            </Text>
            {/* Every dispatch, not only the latest shown here. */}
            {loaded.dispatches.length ? <ExportButton url="/dashboard/export/alerts.csv" filename="alerts.csv" /> : null}
          </InlineStack>
        </Box>
        <RecentDispatches loaded={loaded} />
      </BlockStack>
      <AlertRuleEditor rule={editing?.rule ?? null} open={editing !== null} onClose={close} onSaved={showToast} loaded={loaded} />
      {toast}
    </Page>
  );
}

export function AlertsPageError() {
  return <PageError title="Alerts" heading="The alert rules could not be shown" />;
}
