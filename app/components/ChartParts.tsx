// What the dashboard's charts share (the overview's trend, RecoveryTrendChart; the analytics page's,
// BreakdownChart): the two series' colours, their legend, the box that holds a chart's place until
// polaris-viz has loaded in the browser, and what shows when it could not load.
import { Box, InlineStack, Text } from "@shopify/polaris";

export const CHART_COLORS = { failed: "#e22c38", recovered: "#29845a" } as const;

/** A chunk that failed to load (deploy in between, flaky network) costs the chart, not the page. */
export function ChartUnavailable() {
  return (
    <Box paddingBlock="800">
      <Text as="p" tone="subdued" alignment="center">
        The chart could not be loaded. Reload the page to try again.
      </Text>
    </Box>
  );
}

export function ChartPlaceholder({ height }: { height: number }) {
  return <div style={{ height, borderRadius: 8, background: "var(--p-color-bg-surface-secondary)" }} aria-hidden="true" />;
}

export function ChartLegend({ failedLabel = "Failed" }: { failedLabel?: string }) {
  return (
    <InlineStack gap="400">
      {(["failed", "recovered"] as const).map((field) => (
        <InlineStack key={field} gap="150" blockAlign="center">
          <span style={{ width: 10, height: 10, borderRadius: 2, background: CHART_COLORS[field], display: "inline-block" }} />
          <Text as="span" variant="bodySm" tone="subdued">
            {field === "failed" ? failedLabel : "Recovered"}
          </Text>
        </InlineStack>
      ))}
    </InlineStack>
  );
}
