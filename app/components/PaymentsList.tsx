import { Form, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, EmptyState, IndexTable, InlineStack, Link, Page, Pagination, Tabs, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { ExportButton } from "~/components/ExportButton";
import { PageError } from "~/components/PageError";
import { PaymentsCreateModal } from "~/components/PaymentsCreate";
import { PaymentStatusBadge, TestBadge } from "~/components/PaymentsShared";
import { useHydratedBreakpoints } from "~/components/useHydratedBreakpoints";
import { useToast } from "~/components/useToast";
import { formatDate } from "~/contracts/dashboard/format";
import type { PaymentListLoader, PaymentTab } from "~/contracts/dashboard/payments-pages.server";

// <base>/payments: the workspace's pay-links by status, searched by description, customer,
// reference or code, a page at a time; "Create payment request" makes one and shows its link.

type Loaded = Awaited<ReturnType<PaymentListLoader>>;
type Row = Loaded["links"][number];

const TABS: Array<{ tab: PaymentTab; content: string }> = [
  { tab: "all", content: "All" },
  { tab: "open", content: "Open" },
  { tab: "succeeded", content: "Paid" },
  { tab: "cancelled", content: "Cancelled" },
  { tab: "expired", content: "Expired" },
];

// A card with a link, drawn here: no image host is reachable from every install.
const ILLUSTRATION =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="33" y="30" width="150" height="96" rx="12" fill="#e3e8ee"/><rect x="51" y="52" width="70" height="10" rx="5" fill="#c1c9d2"/><rect x="51" y="72" width="110" height="10" rx="5" fill="#c1c9d2"/><rect x="51" y="96" width="46" height="14" rx="7" fill="#1a56db"/><circle cx="176" cy="118" r="26" fill="#1a56db"/><path d="M166 118h20M176 108v20" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>`,
  );

function urlOf(basePath: string, query: { status: PaymentTab; q: string; page?: number }): string {
  const params = new URLSearchParams();
  if (query.status !== "all") params.set("status", query.status);
  if (query.q) params.set("q", query.q);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  const search = params.toString();
  return `${basePath}/payments${search ? `?${search}` : ""}`;
}

/** The export of the list as it is filtered now (tab and search), every page of it. */
function exportUrlOf(exportPath: string, query: { status: PaymentTab; q: string }): string {
  const params = new URLSearchParams();
  if (query.status !== "all") params.set("status", query.status);
  if (query.q) params.set("q", query.q);
  const search = params.toString();
  return `${exportPath}${search ? `?${search}` : ""}`;
}

function Rows({ links, basePath, timeZone, loading }: { links: Row[]; basePath: string; timeZone: string; loading: boolean }) {
  const { smDown } = useHydratedBreakpoints();
  const link = (r: Row) => (
    <Link url={`${basePath}/payments/${r.id}`} monochrome removeUnderline dataPrimaryLink>
      {r.description}
    </Link>
  );
  const rows = links.map((r, index) =>
    smDown ? (
      <IndexTable.Row id={r.id} key={r.id} position={index}>
        <div style={{ padding: "12px 16px", width: "100%" }}>
          <BlockStack gap="100">
            <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
              <Text as="span" fontWeight="semibold" breakWord>
                {link(r)}
              </Text>
              <Text as="span" numeric>
                {r.amount}
              </Text>
            </InlineStack>
            <InlineStack gap="100" blockAlign="center">
              <PaymentStatusBadge status={r.status} />
              <TestBadge livemode={r.livemode} />
              <Text as="span" variant="bodySm" tone="subdued" breakWord>
                {[r.customer, r.reference].filter(Boolean).join(" · ") || "No customer named"}
              </Text>
            </InlineStack>
            <Text as="span" variant="bodySm" tone="subdued">
              {formatDate(r.createdAt, timeZone)}
            </Text>
          </BlockStack>
        </div>
      </IndexTable.Row>
    ) : (
      <IndexTable.Row id={r.id} key={r.id} position={index}>
        <IndexTable.Cell>
          <div style={{ whiteSpace: "normal", minWidth: 160, maxWidth: 280 }}>
            <Text as="span" fontWeight="semibold" breakWord>
              {link(r)}
            </Text>
          </div>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <InlineStack gap="100" wrap={false}>
            <PaymentStatusBadge status={r.status} />
            <TestBadge livemode={r.livemode} />
          </InlineStack>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <div style={{ whiteSpace: "normal", maxWidth: 200, overflowWrap: "anywhere" }}>{r.customer}</div>
        </IndexTable.Cell>
        <IndexTable.Cell>{r.reference ?? ""}</IndexTable.Cell>
        <IndexTable.Cell>{formatDate(r.createdAt, timeZone)}</IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {r.amount}
          </Text>
        </IndexTable.Cell>
      </IndexTable.Row>
    ),
  );
  return (
    <IndexTable
      condensed={smDown}
      resourceName={{ singular: "payment request", plural: "payment requests" }}
      itemCount={links.length}
      selectable={false}
      loading={loading}
      headings={[{ title: "Description" }, { title: "Status" }, { title: "Customer" }, { title: "Reference" }, { title: "Created" }, { title: "Amount", alignment: "end" }]}
    >
      {rows}
    </IndexTable>
  );
}

export function PaymentsList() {
  const loaded = useLoaderData<PaymentListLoader>();
  const { links, tab, search, page, totalPages, total, hasProvider, readOnly, basePath, timeZone, exportPath } = loaded;
  const navigation = useNavigation();
  const navigate = useNavigate();
  const { toast, showToast } = useToast();
  const [query, setQuery] = useState(search);
  const [creating, setCreating] = useState(false);
  const loading = navigation.state === "loading" && navigation.location.pathname === `${basePath}/payments`;
  const selected = Math.max(0, TABS.findIndex((t) => t.tab === tab));
  const filtered = tab !== "all" || search !== "";
  const providers = `${basePath}/payments/providers`;

  useEffect(() => setQuery(search), [search]);

  return (
    <Page
      title="Payments"
      primaryAction={{ content: "Create payment request", onAction: () => setCreating(true), disabled: !hasProvider }}
      secondaryActions={[{ content: "Providers", url: providers }]}
    >
      <BlockStack gap="400">
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Text as="p" tone="subdued">
            A pay-link asks a customer for one payment: send its link or QR code, and they pay by card on your provider&apos;s secure page. Links land on
            your <Link url={providers}>providers</Link>&apos; routing chain, or on the provider you pin.
          </Text>
        </Box>
        {readOnly ? (
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <Banner tone="info">
              <p>{readOnly}</p>
            </Banner>
          </Box>
        ) : null}
        {!hasProvider && (total > 0 || filtered) ? (
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <Banner tone="warning" title="No payment provider is connected" action={{ content: "Set up a provider", url: providers }}>
              <p>Pay-links can&apos;t be paid until Stripe is connected or a Dojo account is added.</p>
            </Banner>
          </Box>
        ) : null}
        {total === 0 && !filtered ? (
          <Card>
            <EmptyState
              heading="No payment requests yet"
              action={hasProvider ? { content: "Create a payment request", onAction: () => setCreating(true) } : { content: "Set up a provider", url: providers }}
              image={ILLUSTRATION}
            >
              <BlockStack gap="200">
                <p>
                  A payment request is a pay-link for one amount: a deposit, an invoice, a missed payment. Send its link by email or text, or show its QR code;
                  the customer pays by card, and you see it here.
                </p>
                {hasProvider ? null : (
                  <p>
                    Pay-links need a payment provider to take the money: connect Stripe or add Dojo on the <Link url={providers}>Providers</Link> page first.
                  </p>
                )}
              </BlockStack>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <Tabs
              tabs={TABS.map((t, i) => ({ id: `payments-${t.tab}`, content: t.content, panelID: i === selected ? "payments" : undefined }))}
              selected={selected}
              onSelect={(i) => navigate(urlOf(basePath, { status: TABS[i]?.tab ?? "all", q: search }))}
            />
            <Box padding="300">
              <Form method="get" action={`${basePath}/payments`} role="search">
                {tab !== "all" ? <input type="hidden" name="status" value={tab} /> : null}
                <InlineStack gap="200" blockAlign="end" wrap={false}>
                  <div style={{ flex: 1, minWidth: 0 }}>
                    <TextField
                      label="Search payment requests"
                      labelHidden
                      placeholder="Description, customer, reference or code"
                      name="q"
                      autoComplete="off"
                      value={query}
                      onChange={setQuery}
                      clearButton
                      onClearButtonClick={() => {
                        setQuery("");
                        navigate(urlOf(basePath, { status: tab, q: "" }));
                      }}
                    />
                  </div>
                  <Button submit>Search</Button>
                </InlineStack>
              </Form>
              {exportPath ? (
                <Box paddingBlockStart="300">
                  <InlineStack align="end">
                    <ExportButton url={exportUrlOf(exportPath, { status: tab, q: search })} filename="payments.csv" />
                  </InlineStack>
                </Box>
              ) : null}
            </Box>
            <div id="payments">
              {links.length ? (
                <Rows links={links} basePath={basePath} timeZone={timeZone} loading={loading} />
              ) : (
                <Box padding="600">
                  <BlockStack gap="200" inlineAlign="center">
                    <Text as="p" variant="headingSm">
                      No payment requests here
                    </Text>
                    <Text as="p" tone="subdued" alignment="center">
                      {search ? `No ${tab === "all" ? "" : `${TABS[selected]!.content.toLowerCase()} `}payment request matches \u201c${search}\u201d.` : "No payment request has this status."}
                    </Text>
                    <Button url={urlOf(basePath, { status: "all", q: "" })}>Show all payment requests</Button>
                  </BlockStack>
                </Box>
              )}
            </div>
            {totalPages > 1 ? (
              <Box padding="300" borderBlockStartWidth="025" borderColor="border">
                <InlineStack align="center">
                  <Pagination
                    hasPrevious={page > 1}
                    previousURL={urlOf(basePath, { status: tab, q: search, page: page - 1 })}
                    hasNext={page < totalPages}
                    nextURL={urlOf(basePath, { status: tab, q: search, page: page + 1 })}
                    label={`Page ${page} of ${totalPages}`}
                  />
                </InlineStack>
              </Box>
            ) : null}
          </Card>
        )}
      </BlockStack>
      <PaymentsCreateModal
        open={creating}
        onClose={() => setCreating(false)}
        options={loaded.create}
        timeZone={timeZone}
        readOnly={readOnly}
        basePath={basePath}
        onCopied={showToast}
      />
      {toast}
    </Page>
  );
}

export function PaymentsListError() {
  return <PageError title="Payments" heading="Your payment requests could not be loaded" />;
}
