import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Layout, Link, Page, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { FactsCard } from "~/components/Fact";
import { Fact, PaymentsPageError, RefundStatusBadge, TestBadge, TransactionStatusBadge, useAnswerErrors } from "~/components/PaymentsShared";
import { useToast } from "~/components/useToast";
import { formatDate } from "~/contracts/dashboard/format";
import type { TransactionAction, TransactionLoader } from "~/contracts/dashboard/payments-pages.server";

// <base>/payments/transactions/:id: one payment through a provider's hosted checkout: its amount,
// status and refunds so far, the card attempts the provider reported (newest first), and a
// refund in full or in part.

type Loaded = Awaited<ReturnType<TransactionLoader>>;

const NOT_REFUNDABLE: Record<string, string> = {
  processing: "The customer hasn't paid yet: there is nothing to refund.",
  failed: "This payment failed: there is nothing to refund.",
  canceled: "This payment was cancelled before it was paid: there is nothing to refund.",
};

function RefundCard({ loaded, onToast }: { loaded: Loaded; onToast: (message: string) => void }) {
  const { transaction: t, canRefund, readOnly } = loaded;
  const fetcher = useFetcher<TransactionAction>({ key: `refund-${t.publicId}` });
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const { errorOf, touch } = useAnswerErrors(answer && !answer.ok ? answer : undefined);
  useEffect(() => {
    if (!answer?.ok) return;
    onToast(answer.toast);
    setAmount("");
    setReason("");
  }, [answer, onToast]);
  const failure = answer && !answer.ok && !Object.keys(answer.fieldErrors).length ? answer : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Refund
        </Text>
        {!canRefund ? (
          <Text as="p" tone="subdued">
            {NOT_REFUNDABLE[t.status] ?? "This payment has been refunded in full."}
          </Text>
        ) : (
          <>
            <Text as="p">
              {t.refundable} is left to refund. The refund goes back to the customer&apos;s card through {t.provider}.
            </Text>
            {readOnly ? (
              <Banner tone="info">
                <p>{readOnly}</p>
              </Banner>
            ) : null}
            {failure ? (
              <Banner tone="critical" title="Nothing was refunded">
                <p>{failure.message}</p>
              </Banner>
            ) : null}
            <FormLayout>
              <TextField
                label={`Amount (${t.currency})`}
                inputMode="decimal"
                autoComplete="off"
                placeholder={t.refundableText}
                value={amount}
                onChange={(value) => {
                  touch("amount");
                  setAmount(value);
                }}
                error={errorOf("amount")}
                helpText={`Leave empty to refund all that's left (${t.refundable}), or enter a smaller amount.`}
                disabled={Boolean(readOnly)}
              />
              <TextField
                label="Reason"
                autoComplete="off"
                value={reason}
                onChange={(value) => {
                  touch("reason");
                  setReason(value);
                }}
                error={errorOf("reason")}
                helpText="Kept with the refund, and sent to the provider."
                maxLength={500}
                requiredIndicator
                disabled={Boolean(readOnly)}
              />
            </FormLayout>
            <InlineStack>
              <Button
                variant="primary"
                tone="critical"
                loading={fetcher.state !== "idle"}
                disabled={Boolean(readOnly)}
                onClick={() => fetcher.submit({ intent: "refund", amount, reason }, { method: "post", encType: "application/json" })}
              >
                {amount.trim() ? "Refund this amount" : `Refund ${t.refundable}`}
              </Button>
            </InlineStack>
          </>
        )}
      </BlockStack>
    </Card>
  );
}

export function PaymentsTransaction() {
  const loaded = useLoaderData<TransactionLoader>();
  const { transaction: t, refunds, timeZone, basePath } = loaded;
  const { toast, showToast } = useToast();
  const back = t.paymentRequest ? { content: "Payment request", url: `${basePath}/payments/${t.paymentRequest.id}` } : { content: "Payments", url: `${basePath}/payments` };
  return (
    <Page
      backAction={back}
      title={t.amount}
      titleMetadata={
        <InlineStack gap="100">
          <TransactionStatusBadge status={t.status} />
          <TestBadge livemode={t.livemode} />
        </InlineStack>
      }
      subtitle={`Payment ${t.publicId}`}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {t.failure ? (
              <Box paddingInline={{ xs: "400", sm: "0" }}>
                <Banner tone="critical" title="Checkout couldn't be opened">
                  <p>{t.failure}</p>
                </Banner>
              </Box>
            ) : null}
            <RefundCard loaded={loaded} onToast={showToast} />
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Refunds
                </Text>
                {refunds.length ? (
                  <ul aria-label="Refunds" style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "var(--p-space-300)" }}>
                    {refunds.map((r) => (
                      <li key={r.publicId}>
                        <BlockStack gap="050">
                          <InlineStack align="space-between" gap="200" wrap>
                            <InlineStack gap="200" blockAlign="center">
                              <Text as="span" fontWeight="semibold">
                                {r.amount}
                              </Text>
                              <RefundStatusBadge status={r.status} />
                            </InlineStack>
                            <Text as="span" variant="bodySm" tone="subdued">
                              {formatDate(r.createdAt, timeZone)}
                            </Text>
                          </InlineStack>
                          <Text as="p" tone="subdued" breakWord>
                            {r.reason}
                          </Text>
                        </BlockStack>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <Text as="p" tone="subdued">
                    No refunds.
                  </Text>
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Card attempts
                </Text>
                {t.attempts.length ? (
                  <ol aria-label="Card attempts" style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "var(--p-space-300)" }}>
                    {t.attempts.map((a, i) => (
                      <li key={`${a.paymentId}-${i}`}>
                        <BlockStack gap="050">
                          <InlineStack align="space-between" gap="200" wrap>
                            <Text as="span" fontWeight="semibold">
                              {a.status.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase())}
                              {a.paymentMethod ? ` · ${a.paymentMethod}` : ""}
                            </Text>
                            <Text as="span" variant="bodySm" tone="subdued">
                              {formatDate(a.attemptedAt, timeZone)}
                            </Text>
                          </InlineStack>
                          {a.errorMessage ? (
                            <Text as="p" tone="critical" breakWord>
                              {a.errorMessage}
                            </Text>
                          ) : null}
                          <Text as="p" variant="bodySm" tone="subdued" breakWord>
                            {a.paymentId}
                          </Text>
                        </BlockStack>
                      </li>
                    ))}
                  </ol>
                ) : (
                  <Text as="p" tone="subdued">
                    The provider hasn&apos;t reported a card attempt yet.
                  </Text>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <FactsCard>
            <Fact label="Amount">
              <Text as="span">{t.amount}</Text>
            </Fact>
            <Fact label="Refunded so far">
              <Text as="span">{t.refunded}</Text>
            </Fact>
            <Fact label="Provider">
              <Text as="span">
                {t.provider}
                {t.connectionLabel ? ` · ${t.connectionLabel}` : ""}
              </Text>
            </Fact>
            {t.payerEmail ? (
              <Fact label="Paid by">
                <Text as="span">{t.payerEmail}</Text>
              </Fact>
            ) : null}
            <Fact label="Started">
              <Text as="span">{formatDate(t.createdAt, timeZone)}</Text>
            </Fact>
            {t.paidAt ? (
              <Fact label="Paid">
                <Text as="span">{formatDate(t.paidAt, timeZone)}</Text>
              </Fact>
            ) : null}
            {t.paymentRequest ? (
              <Fact label="Pay-link">
                <Link url={`${basePath}/payments/${t.paymentRequest.id}`}>{t.paymentRequest.description}</Link>
              </Fact>
            ) : null}
          </FactsCard>
        </Layout.Section>
      </Layout>
      {toast}
    </Page>
  );
}

export function PaymentsTransactionError({ basePath }: { basePath: string }) {
  return <PaymentsPageError basePath={basePath} noun="Payment" missing="No payment with that id in this workspace." />;
}
