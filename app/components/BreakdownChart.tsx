import { lazy, Suspense, useEffect, useState } from "react";
import { CHART_COLORS, ChartPlaceholder, ChartUnavailable } from "./ChartParts";

export interface BarSegment {
  label: string;
  failed: number;
  recovered: number;
}

export interface LinePoint {
  period: string;
  label: string;
  failed: number;
  recovered: number;
}

// polaris-viz reads `navigator` while rendering, so it cannot render on the server (as the
// overview's trend, app/components/RecoveryTrendChart.tsx): loaded in the browser after hydration.
const Charts = lazy(async () => {
  let viz: typeof import("@shopify/polaris-viz");
  try {
    viz = await import("@shopify/polaris-viz");
  } catch {
    return { default: ChartUnavailable };
  }
  const { PolarisVizProvider, BarChart, LineChart } = viz;
  function Charts(props: { kind: "bars"; segments: BarSegment[] } | { kind: "line"; points: LinePoint[] }) {
    const fields = ["failed", "recovered"] as const;
    const name = (field: (typeof fields)[number]) => (field === "failed" ? "Failed" : "Recovered");
    return (
      <PolarisVizProvider>
        {props.kind === "bars" ? (
          <BarChart
            data={fields.map((field) => ({ name: name(field), color: CHART_COLORS[field], data: props.segments.map((s) => ({ key: s.label, value: s[field] })) }))}
            direction="horizontal"
            theme="Light"
            isAnimated={false}
            showLegend={false}
            errorText="The chart could not be drawn."
            // Counts: no ticks between whole numbers.
            xAxisOptions={{ labelFormatter: (value) => (Number.isInteger(Number(value)) ? String(value) : "") }}
          />
        ) : (
          <LineChart
            data={fields.map((field) => ({ name: name(field), color: CHART_COLORS[field], data: props.points.map((p) => ({ key: p.label, value: p[field] })) }))}
            theme="Light"
            isAnimated={false}
            showLegend={false}
            errorText="The chart could not be drawn."
            yAxisOptions={{ integersOnly: true }}
          />
        )}
      </PolarisVizProvider>
    );
  }
  return { default: Charts };
});

/**
 * A chart of failed vs recovered (bars per segment, or a line over time), drawn in the browser
 * only; a box of its size holds the place before. Its table beside it says the same in text.
 */
export function BreakdownChart(props: { label: string; height: number } & ({ kind: "bars"; segments: BarSegment[] } | { kind: "line"; points: LinePoint[] })) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const placeholder = <ChartPlaceholder height={props.height} />;
  const { label, height, ...chart } = props;
  return (
    <figure aria-label={label} style={{ margin: 0, height }} data-testid="breakdown-chart">
      {mounted ? <Suspense fallback={placeholder}>{chart.kind === "bars" ? <Charts kind="bars" segments={chart.segments} /> : <Charts kind="line" points={chart.points} />}</Suspense> : placeholder}
    </figure>
  );
}
