import { BlockStack, Box, Card, InlineStack, Text } from "@shopify/polaris";
import { lazy, Suspense, useEffect, useState } from "react";
import { CHART_COLORS, ChartLegend, ChartPlaceholder, ChartUnavailable } from "./ChartParts";

/** One local day of the overview's trend (`dailyTrend`, app/domain/analytics/stats.server.ts): recoveries opened (payments failed) and recovered that day. */
export interface TrendDay {
  /** YYYY-MM-DD in the workspace timezone. */
  date: string;
  failed: number;
  recovered: number;
}

const HEIGHT = 240;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-11-02" → "Nov 2", without Date (no machine timezone can shift the day). */
export function dayLabel(date: string): string {
  const [, month, day] = date.split("-").map(Number);
  return month && day ? `${MONTHS[month - 1]} ${day}` : date;
}

// polaris-viz reads `navigator` while rendering, so it cannot render on the server; it is also
// the heaviest import of the dashboard. It is loaded in the browser, after hydration, only here.
const Bars = lazy(async () => {
  let viz: typeof import("@shopify/polaris-viz");
  try {
    viz = await import("@shopify/polaris-viz");
  } catch {
    return { default: ChartUnavailable };
  }
  const { PolarisVizProvider, BarChart } = viz;
  function Bars({ days }: { days: TrendDay[] }) {
    const series = (["failed", "recovered"] as const).map((field) => ({
      name: field === "failed" ? "Failed" : "Recovered",
      color: CHART_COLORS[field],
      data: days.map((d) => ({ key: d.date, value: d[field] })),
    }));
    return (
      <PolarisVizProvider>
        <BarChart
          data={series}
          theme="Light"
          isAnimated={false}
          errorText="The chart could not be drawn."
          showLegend={false}
          xAxisOptions={{ labelFormatter: (value) => dayLabel(String(value)) }}
          yAxisOptions={{ integersOnly: true }}
          tooltipOptions={{ titleFormatter: (value) => dayLabel(String(value)) }}
        />
      </PolarisVizProvider>
    );
  }
  return { default: Bars };
});

/**
 * Failed vs recovered payments per day over the trend's days (30 on the overview), as bars.
 * Rendered in the browser only; before that, and while the chart's code loads, a box of the
 * chart's size holds its place.
 */
export function RecoveryTrendChart({ days, emptyText }: { days: TrendDay[]; /** Instead of the default line when nothing happened. */ emptyText?: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const failed = days.reduce((n, d) => n + d.failed, 0);
  const recovered = days.reduce((n, d) => n + d.recovered, 0);
  const empty = failed === 0 && recovered === 0;

  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <BlockStack gap="050">
            <Text as="h2" variant="headingMd">
              Failed vs recovered
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              Payments that failed each of the last {days.length} days ({failed}), and how many of them were recovered since ({recovered})
            </Text>
          </BlockStack>
          {empty ? null : <ChartLegend failedLabel="Failed payments" />}
        </InlineStack>
        {empty ? (
          <Box paddingBlock="800">
            <BlockStack gap="100" inlineAlign="center">
              <Text as="p" variant="headingSm">
                Nothing to chart yet
              </Text>
              <Text as="p" tone="subdued" alignment="center">
                {emptyText ?? `Failed and recovered payments of the last ${days.length} days show up here, day by day.`}
              </Text>
            </BlockStack>
          </Box>
        ) : (
          <div style={{ height: HEIGHT }} data-testid="recovery-trend-chart">
            {mounted ? (
              <Suspense fallback={<ChartPlaceholder height={HEIGHT} />}>
                <Bars days={days} />
              </Suspense>
            ) : (
              <ChartPlaceholder height={HEIGHT} />
            )}
          </div>
        )}
      </BlockStack>
    </Card>
  );
}
