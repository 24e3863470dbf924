import type { IncrementalCard } from "~/contracts/dashboard/overview-page.server";
import { BlockStack, Box, Card, InlineGrid, InlineStack, Select, Spinner, Text } from "@shopify/polaris";
import type { CurrencyCohortDto } from "~/contracts/dunningdog/dto";
import type { SummaryWindow } from "~/domain/analytics/summary.server";
import { formatMoney } from "~/utils/money";
import { formatRate } from "~/contracts/dashboard/format";

/** The parts of a DashboardSummary these cards show (`getDashboardSummary`, `/api/dashboard/summary`). */
export interface SummaryCardsData {
  window: SummaryWindow;
  currency: string;
  failedRevenueCents: number;
  recoveredRevenueCents: number;
  /** 0..1 */
  recoveryRate: number;
  atRiskCount: number;
  /** The same cohort per currency (reporting currency first); others are shown beside, not converted. */
  byCurrency?: CurrencyCohortDto[];
}

/** What is at stake right now (`getOverview`): shown as two more cards when given. */
export interface SummaryCardsExtras {
  /** Amount due on open recoveries, in `summary.currency`. */
  atRiskRevenueCents: number;
  openRecoveries: number;
  activeRetries: number;
  /** What Recoup added over the standing holdout (ADR 0072); null when the holdout is off. */
  incremental?: IncrementalCard | null;
}


export const WINDOW_LABELS: Record<SummaryWindow, string> = {
  month: "This month",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  lifetime: "All time",
};

const WINDOW_OPTIONS = (Object.keys(WINDOW_LABELS) as SummaryWindow[]).map((value) => ({ value, label: WINDOW_LABELS[value] }));

function Metric({ label, value, help }: { label: string; value: string; help: string }) {
  return (
    <Card roundedAbove="xs">
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      </BlockStack>
    </Card>
  );
}

/** The incremental card's explanation: the interval, and against how many held-out failures. */
function incrementalHelp(i: IncrementalCard): string {
  const money = (cents: number) => formatMoney(cents, i.currency);
  const against = `${i.treated} failures Recoup worked on vs ${i.heldOut} held out (${i.sharePercent} % holdout)`;
  if (!i.enoughData) return `Not enough held-out failures yet for a reliable figure: ${against}.`;
  const sign = i.liftPoints >= 0 ? "+" : "";
  return `95 % interval ${money(i.lowCents)} to ${money(i.highCents)}; ${sign}${i.liftPoints} points of recovery rate: ${against}.`;
}

/**
 * Recovered revenue, recovery rate, failed revenue and subscriptions at risk (with `extras`,
 * also at-risk revenue and active retries), with the period picker. The caller owns the period (a URL parameter, app state…) through onWindowChange.
 */
export function SummaryCards({
  summary,
  extras,
  onWindowChange,
  loading = false,
}: {
  summary: SummaryCardsData;
  extras?: SummaryCardsExtras;
  onWindowChange?: (window: SummaryWindow) => void;
  loading?: boolean;
}) {
  const period = WINDOW_LABELS[summary.window].toLowerCase();
  const money = (cents: number) => formatMoney(cents, summary.currency);
  // Every figure is one cohort: the payments that failed in the period, and where they stand now.
  const cohort = summary.byCurrency?.find((c) => c.currency === summary.currency);
  const others = (summary.byCurrency ?? []).filter((c) => c.currency !== summary.currency && c.failedCount > 0);
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <BlockStack gap="300">
      {/* Polaris pages have no side padding on phones: text outside a card needs its own. */}
      <Box paddingInline={{ xs: "400", sm: "0" }}>
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingMd">
            Performance
          </Text>
          <InlineStack gap="200" blockAlign="center">
            {loading ? <Spinner size="small" accessibilityLabel="Updating" /> : null}
            {onWindowChange ? (
              <Select
                label="Period"
                labelInline
                options={WINDOW_OPTIONS}
                value={summary.window}
                onChange={(value) => onWindowChange(value as SummaryWindow)}
              />
            ) : null}
          </InlineStack>
        </InlineStack>
      </Box>
      <Box paddingInline={{ xs: "400", sm: "0" }}>
        <InlineGrid columns={extras ? { xs: 2, md: 3 } : { xs: 2, lg: 4 }} gap={{ xs: "300", sm: "400" }}>
          <Metric
            label="Recovered"
            value={money(summary.recoveredRevenueCents)}
            help={
              cohort
                ? `${cohort.recoveredCount} of the ${plural(cohort.failedCount, "payment", "payments")} that failed ${period}, won back so far`
                : `Of the payments that failed ${period}, won back so far`
            }
          />
          <Metric
            label="Recovery rate"
            value={formatRate(summary.recoveryRate)}
            help={
              cohort
                ? `Recovered ÷ failed, ${period}. Still in progress: ${money(cohort.inProgressRevenueCents)}; lost: ${money(cohort.lostRevenueCents)}`
                : `Recovered ÷ failed revenue, ${period}`
            }
          />
          {extras ? (
            <>
              <Metric
                label="At-risk revenue"
                value={money(extras.atRiskRevenueCents)}
                help={`Due on ${extras.openRecoveries} open ${extras.openRecoveries === 1 ? "recovery" : "recoveries"}`}
              />
              <Metric
                label="Active retries"
                value={String(extras.activeRetries)}
                help={extras.activeRetries === 1 ? "Recovery with a retry planned" : "Recoveries with a retry planned"}
              />
              {extras.incremental ? <Metric label="Recovered because of Recoup" value={formatMoney(extras.incremental.estimateCents, extras.incremental.currency)} help={incrementalHelp(extras.incremental)} /> : null}
            </>
          ) : null}
          <Metric
            label="Failed revenue"
            value={money(summary.failedRevenueCents)}
            help={cohort ? `${plural(cohort.failedCount, "payment", "payments")} failed ${period}` : `Payments that failed, ${period}`}
          />
          <Metric
            label="At risk"
            value={String(summary.atRiskCount)}
            help={summary.atRiskCount === 1 ? "Subscription at risk right now" : "Subscriptions at risk right now"}
          />
        </InlineGrid>
      </Box>
      {others.length > 0 ? (
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <BlockStack gap="100">
            <Text as="p" variant="bodySm" tone="subdued">
              The figures above are in {summary.currency.toUpperCase()}. Payments in other currencies, {period} (not converted):
            </Text>
            {others.map((c) => (
              <Text as="p" variant="bodySm" key={c.currency}>
                {c.currency.toUpperCase()}: {formatMoney(c.failedRevenueCents, c.currency)} failed ({plural(c.failedCount, "payment", "payments")}),{" "}
                {formatMoney(c.recoveredRevenueCents, c.currency)} recovered ({formatRate(c.recoveryRate)}), {formatMoney(c.inProgressRevenueCents, c.currency)} in progress,{" "}
                {formatMoney(c.lostRevenueCents, c.currency)} lost
              </Text>
            ))}
          </BlockStack>
        </Box>
      ) : null}
    </BlockStack>
  );
}
