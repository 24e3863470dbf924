import { Form, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { BreakdownChart } from "~/components/BreakdownChart";
import { ChartLegend } from "~/components/ChartParts";
import type { AnalyticsPageData } from "~/contracts/dashboard/analytics-page.server";
import { formatDate, formatRate } from "~/contracts/dashboard/format";
import { formatMoney } from "~/utils/money";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A period's local start ("2026-03-02T00:00:00") in words for its grouping, without Date (no machine zone can shift it). */
export function periodLabel(period: string, groupBy: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(period);
  if (!match) return period;
  const [, year, month, dayOfMonth, hour] = match;
  const monthName = MONTHS[Number(month) - 1] ?? month;
  if (groupBy === "month") return `${monthName} ${year}`;
  const dayText = `${monthName} ${Number(dayOfMonth)}`;
  if (groupBy === "week") return `Week of ${dayText}`;
  if (groupBy === "hour") return `${dayText}, ${hour ?? "00"}:00`;
  return dayText;
}

const GROUP_OPTIONS = [
  { label: "Hour", value: "hour" },
  { label: "Day", value: "day" },
  { label: "Week", value: "week" },
  { label: "Month", value: "month" },
];
const MODE_OPTIONS = [
  { label: "Live data", value: "live" },
  { label: "Test data", value: "test" },
];
const SHOWN_IN_CHART = 8;

type Totals = AnalyticsPageData["declineCodes"];

/** One breakdown: its bars (the largest segments) and, beside them, every segment's counts, rate and money. */
function Breakdown({ title, what, totals, currency }: { title: string; what: string; totals: Totals; currency: string }) {
  const used = totals.filter((t) => t.failed > 0);
  const shown = used.slice(0, SHOWN_IN_CHART);
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {used.length ? <ChartLegend /> : null}
        </InlineStack>
        {used.length === 0 ? (
          <Text as="p" tone="subdued">
            No payment failed in this range.
          </Text>
        ) : (
          <InlineGrid columns={{ xs: 1, lg: 2 }} gap="400">
            <BreakdownChart kind="bars" label={`Failed and recovered payments by ${what}`} height={Math.max(160, 48 * shown.length + 40)} segments={shown} />
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
              headings={[what.replace(/^./, (c) => c.toUpperCase()), "Failed", "Recovered", "Rate", `Recovered (${currency.toUpperCase()})`]}
              rows={used.map((t) => [t.label, t.failed, t.recovered, t.rate === null ? "—" : formatRate(t.rate), formatMoney(t.recoveredMinor, currency)])}
              totals={["", used.reduce((n, t) => n + t.failed, 0), used.reduce((n, t) => n + t.recovered, 0), "", ""]}
              showTotalsInFooter
              truncate
            />
          </InlineGrid>
        )}
      </BlockStack>
    </Card>
  );
}

/** /dashboard/analytics: the range and grouping in the URL, the charts and their tables. */
export function BreakdownView() {
  const data = useLoaderData<AnalyticsPageData>();
  const { query } = data;
  const submit = useSubmit();
  const navigation = useNavigation();
  const [from, setFrom] = useState(query.from ?? "");
  const [to, setTo] = useState(query.to ?? "");
  useEffect(() => setFrom(query.from ?? ""), [query.from]);
  useEffect(() => setTo(query.to ?? ""), [query.to]);
  const apply = (changes: Record<string, string>) => {
    const next = Object.fromEntries(Object.entries({ from, to, groupBy: query.groupBy, mode: query.mode, ...changes }).filter(([, v]) => v));
    submit(next, { method: "get", action: "/dashboard/analytics", preventScrollReset: true });
  };
  const points = data.overTime.map((p) => ({ ...p, label: periodLabel(p.period, query.groupBy) }));
  const failed = points.reduce((n, p) => n + p.failed, 0);
  const recovered = points.reduce((n, p) => n + p.recovered, 0);

  return (
    <Page title="Analytics" subtitle={`Payments by the day they first failed, in ${data.timezone}; figures as of ${formatDate(data.asOf, data.timezone)}`}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {data.problem ? (
              <Banner tone="warning" title="That range can't be shown">
                <p>{data.problem} Showing the last 30 days by day instead.</p>
              </Banner>
            ) : null}
            <Card>
              <Form method="get" action="/dashboard/analytics" aria-label="Range and grouping" preventScrollReset>
                <InlineGrid columns={{ xs: 1, sm: 2, md: 5 }} gap="200" alignItems="end">
                  <TextField label="From" type="date" name="from" autoComplete="off" value={from} onChange={setFrom} />
                  <TextField label="To" type="date" name="to" autoComplete="off" value={to} onChange={setTo} />
                  <Select label="Group by" name="groupBy" options={GROUP_OPTIONS} value={query.groupBy} onChange={(groupBy) => apply({ groupBy })} />
                  <Select label="Data" name="mode" options={MODE_OPTIONS} value={query.mode} onChange={(mode) => apply({ mode })} />
                  <Button submit loading={navigation.state === "loading" && navigation.location.pathname === "/dashboard/analytics"}>
                    Apply
                  </Button>
                </InlineGrid>
              </Form>
            </Card>
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <BlockStack gap="050">
                    <Text as="h2" variant="headingMd">
                      Failed vs recovered over time
                    </Text>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {failed} failed, {recovered} recovered
                      {failed ? ` (${formatRate(recovered / failed)})` : ""}
                    </Text>
                  </BlockStack>
                  <ChartLegend />
                </InlineStack>
                <BreakdownChart kind="line" label="Failed and recovered payments over time" height={240} points={points} />
              </BlockStack>
            </Card>
            <Breakdown title="By decline code" what="decline code" totals={data.declineCodes} currency={data.currency} />
            <Breakdown title="By campaign" what="campaign" totals={data.campaigns} currency={data.currency} />
            <Box paddingInline={{ xs: "400", sm: "0" }}>
              <Text as="p" variant="bodySm" tone="subdued">
                Rate: recovered payments out of those that failed in the range. Amounts in {data.currency.toUpperCase()} only.
              </Text>
            </Box>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
