import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, IndexTable, InlineGrid, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { MoneyTotals } from "~/components/CustomerList";
import { Fact, FactsCard } from "~/components/Fact";
import { StatusBadge } from "~/components/RecoveriesTable";
import { useHydratedBreakpoints } from "~/components/useHydratedBreakpoints";
import type { CustomerPageData } from "~/contracts/dashboard/customers.server";
import { formatDate } from "~/contracts/dashboard/format";
import { formatMoney } from "~/utils/money";

function Section({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  return (
    <Card padding="0">
      <Box padding="400">
        <Text as="h2" variant="headingMd">
          {title} ({count})
        </Text>
      </Box>
      {children}
    </Card>
  );
}

function None({ text }: { text: string }) {
  return (
    <Box padding="400" paddingBlockStart="0">
      <Text as="p" tone="subdued">
        {text}
      </Text>
    </Box>
  );
}

function cardText(card: CustomerPageData["customer"]["card"], timeZone: string): string {
  const failed = card.lastFailed ? [card.lastFailed.brand, card.lastFailed.last4 ? `•••• ${card.lastFailed.last4}` : null].filter(Boolean).join(" ") : null;
  if (card.updatedAt) return `New card on file since ${formatDate(card.updatedAt, timeZone)}${failed ? ` (failed: ${failed})` : ""}`;
  if (failed) return `${failed}${card.onFile ? "" : " (no default card on file)"}`;
  return card.onFile ? "A card is on file" : "No card on file";
}

/** /dashboard/customers/:id: who the customer is, their card, recoveries, payments and emails, totals per currency. */
export function CustomerDetail() {
  const { customer, totals, recoveries, payments, emails, timeZone } = useLoaderData<CustomerPageData>();
  const { smDown } = useHydratedBreakpoints();
  const title = customer.name ?? customer.email ?? customer.externalId;

  return (
    <Page title={title} subtitle={customer.name && customer.email ? customer.email : undefined} backAction={{ content: "Customers", url: "/dashboard/customers" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingSm" tone="subdued">
                    Recovered
                  </Text>
                  <Text as="p" variant="headingLg">
                    <MoneyTotals totals={totals.recovered} />
                  </Text>
                </BlockStack>
                <BlockStack gap="100">
                  <Text as="h2" variant="headingSm" tone="subdued">
                    At risk
                  </Text>
                  <Text as="p" variant="headingLg">
                    <MoneyTotals totals={totals.atRisk} />
                  </Text>
                </BlockStack>
                <BlockStack gap="100">
                  <Text as="h2" variant="headingSm" tone="subdued">
                    Open recoveries
                  </Text>
                  <Text as="p" variant="headingLg">
                    {totals.open} of {totals.recoveries}
                  </Text>
                </BlockStack>
              </InlineGrid>
            </Card>
            <Section title="Recoveries" count={recoveries.length}>
              {recoveries.length ? (
                <IndexTable
                  condensed={smDown}
                  resourceName={{ singular: "recovery", plural: "recoveries" }}
                  itemCount={recoveries.length}
                  selectable={false}
                  headings={[{ title: "Invoice" }, { title: "Amount", alignment: "end" }, { title: "Status" }, { title: "Failure reason" }, { title: "Failed" }]}
                >
                  {recoveries.map((r, index) => {
                    const link = (
                      <Link url={`/dashboard/recoveries/${r.attempt.id}`} monochrome removeUnderline dataPrimaryLink>
                        {r.reference.title}
                      </Link>
                    );
                    const amount = formatMoney(r.attempt.amountDueCents, r.attempt.currency);
                    return smDown ? (
                      <IndexTable.Row id={r.attempt.id} key={r.attempt.id} position={index}>
                        <div style={{ padding: "12px 16px", width: "100%" }}>
                          <BlockStack gap="100">
                            <InlineStack align="space-between" gap="200">
                              <Text as="span" fontWeight="semibold">
                                {amount}
                              </Text>
                              <StatusBadge status={r.attempt.status} />
                            </InlineStack>
                            <Text as="span" variant="bodySm" breakWord>
                              {link}
                            </Text>
                            <Text as="span" variant="bodySm" tone="subdued" breakWord>
                              {r.failureReason ?? "—"} · failed {formatDate(r.attempt.startedAt, timeZone, false)}
                            </Text>
                          </BlockStack>
                        </div>
                      </IndexTable.Row>
                    ) : (
                      <IndexTable.Row id={r.attempt.id} key={r.attempt.id} position={index}>
                        <IndexTable.Cell>
                          <Text as="span" fontWeight="semibold">
                            {link}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <Text as="span" alignment="end" numeric>
                            {amount}
                          </Text>
                        </IndexTable.Cell>
                        <IndexTable.Cell>
                          <InlineStack gap="100" wrap={false}>
                            <StatusBadge status={r.attempt.status} />
                            {r.paused ? <Badge>Paused</Badge> : null}
                          </InlineStack>
                        </IndexTable.Cell>
                        <IndexTable.Cell>{r.failureReason ?? "—"}</IndexTable.Cell>
                        <IndexTable.Cell>{formatDate(r.attempt.startedAt, timeZone)}</IndexTable.Cell>
                      </IndexTable.Row>
                    );
                  })}
                </IndexTable>
              ) : (
                <None text="No failed payment of this customer has come to Recoup." />
              )}
            </Section>
            <Section title="Payments" count={payments.length}>
              {payments.length ? (
                <Box padding="400" paddingBlockStart="0">
                  <BlockStack gap="200" as="ul">
                    {payments.map((p) => (
                      <InlineStack key={p.id} as="li" align="space-between" gap="200" wrap>
                        <Text as="span" breakWord>
                          {p.externalId}
                        </Text>
                        <Text as="span" numeric>
                          {formatMoney(p.amountMinor, p.currency)} · {formatDate(p.paidAt, timeZone)}
                        </Text>
                      </InlineStack>
                    ))}
                  </BlockStack>
                </Box>
              ) : (
                <None text="No payment of this customer is on record." />
              )}
            </Section>
            <Section title="Emails sent" count={emails.length}>
              {emails.length ? (
                <Box padding="400" paddingBlockStart="0">
                  <BlockStack gap="200" as="ul">
                    {emails.map((m) => (
                      <BlockStack key={m.id} as="li" gap="050">
                        <Text as="span" fontWeight="medium" breakWord>
                          {m.subject}
                        </Text>
                        <Text as="span" variant="bodySm" tone="subdued" breakWord>
                          {formatDate(m.sentAt, timeZone)}
                          {m.toEmail ? ` to ${m.toEmail}` : ""}
                          {m.clicked ? " · clicked" : m.opened ? " · opened" : ""}
                        </Text>
                      </BlockStack>
                    ))}
                  </BlockStack>
                </Box>
              ) : (
                <None text="No email has been sent to this customer." />
              )}
            </Section>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <FactsCard>
            <Fact label="Name">{customer.name ?? "—"}</Fact>
            <Fact label="Email">{customer.email ?? "—"}</Fact>
            <Fact label="Country">{customer.country ?? "—"}</Fact>
            <Fact label="Time zone">{customer.timezone ?? "—"}</Fact>
            <Fact label="Card">{cardText(customer.card, timeZone)}</Fact>
            <Fact label="At the provider">
              {customer.provider} · {customer.externalId}
              {customer.livemode ? "" : " (test)"}
            </Fact>
            <Fact label="Customer since">{formatDate(customer.createdAt, timeZone, false)}</Fact>
          </FactsCard>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
