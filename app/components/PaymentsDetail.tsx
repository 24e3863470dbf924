import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, Divider, IndexTable, InlineStack, Layout, Link, Modal, Page, Select, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { ExportButton } from "~/components/ExportButton";
import { FactsCard } from "~/components/Fact";
import { Fact, PaymentsPageError, PayLinkShare, PaymentStatusBadge, TestBadge, TransactionStatusBadge } from "~/components/PaymentsShared";
import { useHydratedBreakpoints } from "~/components/useHydratedBreakpoints";
import { useToast } from "~/components/useToast";
import { formatDate } from "~/contracts/dashboard/format";
import type { PaymentDetailAction, PaymentDetailLoader } from "~/contracts/dashboard/payments-pages.server";

// <base>/payments/:id: one pay-link: its amount and status, the link and QR code to send, where a
// click lands now and why, its history in words (newest first), the payments made through it;
// Cancel while it is open, and pin it to a provider or return it to the routing chain.

type Loaded = Awaited<ReturnType<PaymentDetailLoader>>;

const CLOSED_WORDS: Record<string, string> = {
  succeeded: "This link has been paid: it can't be paid again.",
  cancelled: "This link was cancelled: the customer's page says it can no longer be paid.",
  expired: "This link has expired: the customer's page says it can no longer be paid.",
};

function History({ entries, timeZone }: { entries: Loaded["history"]; timeZone: string }) {
  if (!entries.length) {
    return (
      <Text as="p" tone="subdued">
        Nothing has happened yet.
      </Text>
    );
  }
  return (
    <ol aria-label="History" style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "var(--p-space-300)" }}>
      {entries.map((e) => (
        <li key={e.id} data-event-kind={e.kind} style={{ borderInlineStart: `3px solid var(--p-color-border${e.tone === "critical" ? "-critical" : e.tone === "success" ? "-success" : e.tone === "attention" ? "-caution" : "-secondary"})`, paddingInlineStart: 12 }}>
          <BlockStack gap="050">
            <InlineStack align="space-between" gap="200" wrap>
              <Text as="h3" variant="headingSm" breakWord>
                {e.title}
              </Text>
              <Text as="span" variant="bodySm" tone="subdued">
                {formatDate(e.at, timeZone)}
              </Text>
            </InlineStack>
            {e.detail ? (
              <Text as="p" tone="subdued" breakWord>
                {e.detail}
              </Text>
            ) : null}
          </BlockStack>
        </li>
      ))}
    </ol>
  );
}

function Transactions({ rows, basePath, timeZone }: { rows: Loaded["transactions"]; basePath: string; timeZone: string }) {
  const { smDown } = useHydratedBreakpoints();
  if (!rows.length) {
    return (
      <Box padding="400">
        <Text as="p" tone="subdued">
          No payment yet: a payment starts when the customer opens checkout from the link.
        </Text>
      </Box>
    );
  }
  const link = (t: Loaded["transactions"][number]) => (
    <Link url={`${basePath}/payments/transactions/${t.publicId}`} dataPrimaryLink>
      {t.publicId}
    </Link>
  );
  return (
    <IndexTable
      condensed={smDown}
      resourceName={{ singular: "payment", plural: "payments" }}
      itemCount={rows.length}
      selectable={false}
      headings={[{ title: "Payment" }, { title: "Provider" }, { title: "Status" }, { title: "Started" }, { title: "Amount", alignment: "end" }]}
    >
      {rows.map((t, index) =>
        smDown ? (
          <IndexTable.Row id={t.publicId} key={t.publicId} position={index}>
            <div style={{ padding: "12px 16px", width: "100%" }}>
              <BlockStack gap="100">
                <InlineStack align="space-between" gap="200" wrap={false}>
                  <Text as="span" fontWeight="semibold" breakWord>
                    {link(t)}
                  </Text>
                  <Text as="span" numeric>
                    {t.amount}
                  </Text>
                </InlineStack>
                <InlineStack gap="100" blockAlign="center">
                  <TransactionStatusBadge status={t.status} />
                  <Text as="span" variant="bodySm" tone="subdued">
                    {t.provider} · {formatDate(t.createdAt, timeZone)}
                  </Text>
                </InlineStack>
              </BlockStack>
            </div>
          </IndexTable.Row>
        ) : (
          <IndexTable.Row id={t.publicId} key={t.publicId} position={index}>
            <IndexTable.Cell>{link(t)}</IndexTable.Cell>
            <IndexTable.Cell>{t.provider}</IndexTable.Cell>
            <IndexTable.Cell>
              <TransactionStatusBadge status={t.status} />
            </IndexTable.Cell>
            <IndexTable.Cell>{formatDate(t.createdAt, timeZone)}</IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {t.amount}
              </Text>
            </IndexTable.Cell>
          </IndexTable.Row>
        ),
      )}
    </IndexTable>
  );
}

function RoutingCard({ loaded, onToast }: { loaded: Loaded; onToast: (message: string) => void }) {
  const { link, landsOn, pins, readOnly, timeZone } = loaded;
  const fetcher = useFetcher<PaymentDetailAction>({ key: `pin-${link.id}` });
  const [pin, setPin] = useState(link.providerOverrideId ?? "");
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const open = link.status === "open";
  useEffect(() => setPin(link.providerOverrideId ?? ""), [link.providerOverrideId]);
  useEffect(() => {
    if (answer?.ok) onToast(answer.toast);
  }, [answer, onToast]);
  const failure = answer && !answer.ok ? answer : null;
  const unchanged = pin === (link.providerOverrideId ?? "");
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Routing
        </Text>
        {open ? (
          landsOn ? (
            <div data-testid="lands-on">
              <Text as="p">
                Lands on now: <strong>{landsOn.label}</strong> ({landsOn.how})
              </Text>
            </div>
          ) : (
            <Banner tone="warning">
              <p>
                Lands on now: nowhere. No connected provider can take this link: <Link url={`${loaded.basePath}/payments/providers`}>set up a provider</Link>.
              </p>
            </Banner>
          )
        ) : (
          <Text as="p" tone="subdued">
            No click opens a checkout any more: the link is {link.status === "succeeded" ? "paid" : link.status}.
          </Text>
        )}
        {link.fallbackTriggeredAt ? (
          <Text as="p" variant="bodySm" tone="subdued">
            Fell back to the secondary on {formatDate(link.fallbackTriggeredAt, timeZone)}: the primary couldn&apos;t be used, so clicks stay on the secondary.
          </Text>
        ) : null}
        {open ? (
          <>
            <Divider />
            {failure && !failure.fieldErrors.providerOverrideId ? (
              <Banner tone="critical" title="The provider wasn't changed">
                <p>{failure.message}</p>
              </Banner>
            ) : null}
            <InlineStack gap="200" blockAlign="end" wrap>
              <div style={{ flex: "1 1 14rem", minWidth: 0 }}>
                <Select
                  label="Pin to provider"
                  options={[{ label: "Routing chain (no pin)", value: "" }, ...pins.map((p) => ({ label: p.label, value: p.id }))]}
                  value={pin}
                  onChange={setPin}
                  disabled={Boolean(readOnly)}
                  error={failure?.fieldErrors.providerOverrideId}
                />
              </div>
              <Button
                onClick={() => fetcher.submit({ intent: "pin", providerOverrideId: pin || null }, { method: "post", encType: "application/json" })}
                loading={fetcher.state !== "idle"}
                disabled={Boolean(readOnly) || unchanged}
              >
                {pin ? "Pin to provider" : "Return to routing"}
              </Button>
            </InlineStack>
            <Text as="p" variant="bodySm" tone="subdued">
              A pinned link lands on its provider while that provider is connected. A link&apos;s provider can change 3 times in 10 minutes.
            </Text>
          </>
        ) : null}
      </BlockStack>
    </Card>
  );
}

const cancelKey = (id: string) => `cancel-${id}`;

/** Cancel, with a confirmation. Its answer's toast is the page's: once cancelled, this button is gone. */
function CancelButton({ loaded }: { loaded: Loaded }) {
  const fetcher = useFetcher<PaymentDetailAction>({ key: cancelKey(loaded.link.id) });
  const [confirming, setConfirming] = useState(false);
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (answer) setConfirming(false);
  }, [answer]);
  const failure = answer && !answer.ok ? answer : null;
  return (
    <BlockStack gap="200">
      {failure ? (
        <Banner tone="critical" title="The payment request wasn't cancelled">
          <p>{failure.message}</p>
        </Banner>
      ) : null}
      <InlineStack>
        <Button tone="critical" onClick={() => setConfirming(true)} disabled={Boolean(loaded.readOnly)}>
          Cancel payment request
        </Button>
      </InlineStack>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Cancel this payment request?"
        primaryAction={{
          content: "Cancel payment request",
          destructive: true,
          loading: fetcher.state !== "idle",
          onAction: () => fetcher.submit({ intent: "cancel" }, { method: "post", encType: "application/json" }),
        }}
        secondaryActions={[{ content: "Keep it", onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">The link stops working at once: a customer who opens it is told it can no longer be paid. This can&apos;t be undone.</Text>
        </Modal.Section>
      </Modal>
    </BlockStack>
  );
}

export function PaymentsDetail() {
  const loaded = useLoaderData<PaymentDetailLoader>();
  const { link, readOnly, timeZone, basePath } = loaded;
  const { toast, showToast } = useToast();
  const cancelled = useFetcher<PaymentDetailAction>({ key: cancelKey(link.id) });
  const cancelAnswer = cancelled.state === "idle" ? cancelled.data : undefined;
  useEffect(() => {
    if (cancelAnswer?.ok) showToast(cancelAnswer.toast);
  }, [cancelAnswer, showToast]);
  const open = link.status === "open";
  const customer = [link.customer.name, link.customer.email, link.customer.mobile].filter(Boolean);
  return (
    <Page
      backAction={{ content: "Payments", url: `${basePath}/payments` }}
      title={link.amount}
      titleMetadata={
        <InlineStack gap="100">
          <PaymentStatusBadge status={link.status} />
          <TestBadge livemode={link.livemode} />
        </InlineStack>
      }
      subtitle={link.description}
    >
      <BlockStack gap="400">
        {readOnly ? (
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <Banner tone="info">
              <p>{readOnly}</p>
            </Banner>
          </Box>
        ) : null}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Pay-link
                  </Text>
                  {open ? null : (
                    <Text as="p" tone="subdued">
                      {CLOSED_WORDS[link.status]}
                    </Text>
                  )}
                  <PayLinkShare url={link.url} qr={link.qr} onCopied={showToast} idPrefix="link" />
                  {open ? <CancelButton loaded={loaded} /> : null}
                </BlockStack>
              </Card>
              <RoutingCard loaded={loaded} onToast={showToast} />
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    History
                  </Text>
                  <History entries={loaded.history} timeZone={timeZone} />
                </BlockStack>
              </Card>
              <Card padding="0">
                <Box padding="400" paddingBlockEnd="200">
                  <InlineStack align="space-between" blockAlign="start" gap="200">
                    <Text as="h2" variant="headingMd">
                      Payments
                    </Text>
                    {loaded.transactionsExportUrl && loaded.transactions.length ? <ExportButton url={loaded.transactionsExportUrl} filename="transactions.csv" /> : null}
                  </InlineStack>
                </Box>
                <Transactions rows={loaded.transactions} basePath={basePath} timeZone={timeZone} />
              </Card>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <FactsCard>
              <Fact label="Amount">
                <Text as="span">{link.amount}</Text>
              </Fact>
              <Fact label="Customer">
                {customer.length ? (
                  <BlockStack gap="0">
                    {customer.map((line) => (
                      <Text as="span" key={line}>
                        {line}
                      </Text>
                    ))}
                  </BlockStack>
                ) : (
                  <Text as="span" tone="subdued">
                    Not named
                  </Text>
                )}
              </Fact>
              {link.reference ? (
                <Fact label="Reference">
                  <Text as="span">{link.reference}</Text>
                </Fact>
              ) : null}
              <Fact label="Code">
                <Text as="span">{link.shortCode}</Text>
              </Fact>
              <Fact label="Created">
                <Text as="span">{formatDate(link.createdAt, timeZone)}</Text>
              </Fact>
              <Fact label="Expires">
                <Text as="span">{link.expiresAt ? formatDate(link.expiresAt, timeZone) : "Never"}</Text>
              </Fact>
              {link.succeededAt ? (
                <Fact label="Paid">
                  <Text as="span">{formatDate(link.succeededAt, timeZone)}</Text>
                </Fact>
              ) : null}
              {link.cancelledAt ? (
                <Fact label="Cancelled">
                  <Text as="span">{formatDate(link.cancelledAt, timeZone)}</Text>
                </Fact>
              ) : null}
              {link.recoveryId ? (
                <Fact label="Collects">
                  <Link url={`${basePath}/recoveries/${link.recoveryId}`}>A failed payment&apos;s recovery</Link>
                </Fact>
              ) : null}
              {link.isSetupTest ? (
                <Fact label="Purpose">
                  <Text as="span">Setup test: its payment verifies the provider connection.</Text>
                </Fact>
              ) : null}
            </FactsCard>
          </Layout.Section>
        </Layout>
      </BlockStack>
      {toast}
    </Page>
  );
}

export function PaymentsDetailError({ basePath }: { basePath: string }) {
  return <PaymentsPageError basePath={basePath} noun="Payment request" missing="No payment request with that id in this workspace." />;
}
