import { BlockStack, Card, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** One labelled fact of a detail page's `<dl>`: a recovery's, a pay-link's, a payment's. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="dt" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <dd style={{ margin: 0, overflowWrap: "anywhere" }}>{children}</dd>
    </BlockStack>
  );
}

/** A detail page's side card of facts. */
export function FactsCard({ title = "Details", children }: { title?: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <dl style={{ margin: 0, display: "grid", gap: "var(--p-space-300)" }}>{children}</dl>
      </BlockStack>
    </Card>
  );
}
