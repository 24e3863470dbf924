import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { BlockStack, Box, Button, Card, IndexTable, InlineStack, Link, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { ExportButton } from "~/components/ExportButton";
import { useHydratedBreakpoints } from "~/components/useHydratedBreakpoints";
import type { CustomerListData, MoneyTotal } from "~/contracts/dashboard/customers.server";
import { formatDate } from "~/contracts/dashboard/format";
import { formatMoney } from "~/utils/money";

const BASE = "/dashboard/customers";

const urlOf = (changes: { q?: string; cursor?: string }) => {
  const params = new URLSearchParams();
  if (changes.q) params.set("q", changes.q);
  if (changes.cursor) params.set("cursor", changes.cursor);
  const search = params.toString();
  return search ? `${BASE}?${search}` : BASE;
};

/** Amounts per currency, never added across currencies: "$12.00 · €5.00", or a dash. */
export function MoneyTotals({ totals }: { totals: MoneyTotal[] }) {
  const shown = totals.filter((t) => t.amountMinor !== 0);
  return <>{shown.length ? shown.map((t) => formatMoney(t.amountMinor, t.currency)).join(" · ") : "—"}</>;
}

/** /dashboard/customers: searched by any part of a name or email, or the platform's id; newest first. */
export function CustomerList() {
  const { items, nextCursor, query, timeZone } = useLoaderData<CustomerListData>();
  const navigation = useNavigation();
  const { smDown } = useHydratedBreakpoints();
  const [q, setQ] = useState(query.q ?? "");
  useEffect(() => setQ(query.q ?? ""), [query.q]);
  const loading = navigation.state === "loading" && navigation.location.pathname === BASE;
  const exportUrl = `/dashboard/export/customers.csv${query.q ? `?${new URLSearchParams({ q: query.q })}` : ""}`;

  const rows = items.map((c, index) => {
    const label = c.name ?? c.email ?? c.externalId;
    const link = (
      <Link url={`${BASE}/${c.id}`} monochrome removeUnderline dataPrimaryLink>
        {label}
      </Link>
    );
    return smDown ? (
      <IndexTable.Row id={c.id} key={c.id} position={index}>
        <div style={{ padding: "12px 16px", width: "100%" }}>
          <BlockStack gap="100">
            <Text as="span" fontWeight="semibold" breakWord>
              {link}
            </Text>
            {c.name && c.email ? (
              <Text as="span" variant="bodySm" tone="subdued" breakWord>
                {c.email}
              </Text>
            ) : null}
            <Text as="span" variant="bodySm" tone="subdued">
              {c.open} open of {c.recoveries} · recovered <MoneyTotals totals={c.recovered} />
            </Text>
          </BlockStack>
        </div>
      </IndexTable.Row>
    ) : (
      <IndexTable.Row id={c.id} key={c.id} position={index}>
        <IndexTable.Cell>
          <BlockStack gap="050">
            <Text as="span" fontWeight="semibold">
              {link}
            </Text>
            {c.name && c.email ? (
              <Text as="span" variant="bodySm" tone="subdued">
                {c.email}
              </Text>
            ) : null}
          </BlockStack>
        </IndexTable.Cell>
        <IndexTable.Cell>{c.country ?? "—"}</IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" numeric>
            {c.open} open of {c.recoveries}
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <MoneyTotals totals={c.recovered} />
        </IndexTable.Cell>
        <IndexTable.Cell>
          <MoneyTotals totals={c.atRisk} />
        </IndexTable.Cell>
        <IndexTable.Cell>{formatDate(c.createdAt, timeZone, false)}</IndexTable.Cell>
      </IndexTable.Row>
    );
  });

  return (
    <Page title="Customers">
      <Card padding="0">
        <Box padding="300" borderBlockEndWidth="025" borderColor="border">
          <BlockStack gap="300">
            <Form method="get" action={BASE} role="search" aria-label="Search customers">
              <InlineStack gap="200" blockAlign="end" wrap={false}>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <TextField
                    label="Search customers"
                    labelHidden
                    placeholder="Name, email or customer id"
                    name="q"
                    autoComplete="off"
                    value={q}
                    onChange={setQ}
                    clearButton
                    onClearButtonClick={() => setQ("")}
                  />
                </div>
                <Button submit>Search</Button>
              </InlineStack>
            </Form>
            <InlineStack align="space-between" blockAlign="center" gap="200">
              {query.q ? (
                <Button url={BASE} variant="plain">
                  Clear search
                </Button>
              ) : (
                <span />
              )}
              <ExportButton url={exportUrl} filename="customers.csv" />
            </InlineStack>
          </BlockStack>
        </Box>
        <IndexTable
          condensed={smDown}
          resourceName={{ singular: "customer", plural: "customers" }}
          itemCount={items.length}
          selectable={false}
          loading={loading}
          emptyState={
            <Box padding="600">
              <BlockStack gap="200" inlineAlign="center">
                <Text as="p" variant="headingSm">
                  {query.q ? "No customers match" : "No customers yet"}
                </Text>
                <Text as="p" tone="subdued" alignment="center">
                  {query.q
                    ? `No customer's name, email or id matches \u201c${query.q}\u201d.`
                    : "Customers appear here with their first failed payment."}
                </Text>
                {query.q ? <Button url={BASE}>Clear search</Button> : null}
              </BlockStack>
            </Box>
          }
          headings={[{ title: "Customer" }, { title: "Country" }, { title: "Recoveries" }, { title: "Recovered" }, { title: "At risk" }, { title: "Since" }]}
        >
          {rows}
        </IndexTable>
        {nextCursor || query.cursor ? (
          <Box padding="300" borderBlockStartWidth="025" borderColor="border">
            <InlineStack align="space-between" gap="200">
              {query.cursor ? <Button url={urlOf({ q: query.q })}>Newest</Button> : <span />}
              {nextCursor ? <Button url={urlOf({ q: query.q, cursor: nextCursor })}>Older customers</Button> : null}
            </InlineStack>
          </Box>
        ) : null}
      </Card>
    </Page>
  );
}
