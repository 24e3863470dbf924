import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Link, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { PayLinkShare } from "~/components/PaymentsShared";
import type { RecoveryPayLinkAction, RecoveryPayLinkPanel } from "~/contracts/dashboard/payments-pages.server";

// The recovery page's "Pay-link" card: a link for the amount due that the customer pays by card
// now; its payment settles the recovery. Shown for open recoveries in the standalone dashboard.

export function PaymentsRecoveryLink({ panel, onToast }: { panel: RecoveryPayLinkPanel; onToast: (message: string) => void }) {
  const fetcher = useFetcher<RecoveryPayLinkAction>({ key: "recovery-pay-link" });
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  useEffect(() => {
    if (answer?.ok) onToast(answer.toast);
  }, [answer, onToast]);
  const link = panel.open ?? (answer?.ok ? answer.link : null);
  const failure = answer && !answer.ok ? answer : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Pay-link
        </Text>
        {link ? (
          <>
            <Text as="p">
              The customer can pay {link.amount} by card with this link. Its payment settles this recovery.{" "}
              <Link url={`${panel.basePath}/payments/${link.id}`}>View the payment request</Link>
            </Text>
            <PayLinkShare url={link.url} qr={link.qr} onCopied={onToast} idPrefix="recovery-pay-link" />
          </>
        ) : (
          <>
            <Text as="p">
              Send the customer a link to pay the {panel.amount} due by card now, instead of waiting for the next retry. Its payment settles this
              recovery.
            </Text>
            {panel.readOnly ? (
              <Text as="p" variant="bodySm" tone="subdued">
                {panel.readOnly}
              </Text>
            ) : !panel.hasProvider ? (
              <Text as="p" variant="bodySm" tone="subdued">
                Pay-links need a payment provider: <Link url={`${panel.basePath}/payments/providers`}>connect Stripe or add Dojo</Link> first.
              </Text>
            ) : null}
            {failure ? (
              <Banner tone="critical" title="No pay-link was created">
                <p>{failure.message}</p>
              </Banner>
            ) : null}
            <InlineStack>
              <Button
                onClick={() => fetcher.submit({ intent: "create-pay-link" }, { method: "post", encType: "application/json" })}
                loading={fetcher.state !== "idle"}
                disabled={Boolean(panel.readOnly) || !panel.hasProvider}
              >
                Create pay-link
              </Button>
            </InlineStack>
          </>
        )}
      </BlockStack>
    </Card>
  );
}
