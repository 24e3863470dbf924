import { Form } from "@remix-run/react";
import { BlockStack, Button, EmptyState, Text } from "@shopify/polaris";

// Drawn here (no image host is reachable from every install): a card and a circular arrow.
const ILLUSTRATION =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="33" y="30" width="160" height="100" rx="12" fill="#e3e8ee"/><rect x="33" y="52" width="160" height="16" fill="#c1c9d2"/><rect x="49" y="96" width="56" height="10" rx="5" fill="#c1c9d2"/><circle cx="168" cy="118" r="30" fill="#1a56db"/><path d="M156 118a12 12 0 1 0 4-9" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round"/><path d="M153 104l8 4-5 8" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>`,
  );

/** The dashboard before the first failed payment: what Recoup does, and the button that starts Stripe Connect. */
export function ConnectStripeEmptyState({
  connectAction,
  disabled = false,
  connectedAccounts = [],
}: {
  connectAction: string;
  disabled?: boolean;
  connectedAccounts?: string[];
}) {
  if (connectedAccounts.length > 0) {
    return (
      <EmptyState heading="No failed payments yet" image={ILLUSTRATION}>
        <Text as="p" tone="subdued">
          Recoup is watching {connectedAccounts.join(", ")}. When a payment fails, it shows up here with what Recoup will do next.
        </Text>
      </EmptyState>
    );
  }
  return (
    <EmptyState heading="Connect Stripe to start recovering failed payments" image={ILLUSTRATION}>
      <BlockStack gap="400" inlineAlign="center">
        <Text as="p" tone="subdued">
          Recoup watches your Stripe account for failed payments, retries them at the right moment and emails your customers a link to update their card. Recoveries will show up here as soon as a payment fails.
        </Text>
        <Form method="post" action={connectAction}>
          <Button submit variant="primary" disabled={disabled}>
            Connect Stripe
          </Button>
        </Form>
      </BlockStack>
    </EmptyState>
  );
}
