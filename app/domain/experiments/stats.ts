// The statistics experiments, A/B tests and the holdout report (ADR 0072): intervals on a share
// (Wilson), on the difference of two shares (Newcombe's hybrid score, method 10), on a mean
// (normal), and a two-sided two-proportion z test. Normal quantiles and erf from simple-statistics.
import { errorFunction, mean, probit, sampleStandardDeviation } from "simple-statistics";

export interface Interval {
  low: number;
  high: number;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
/** Φ⁻¹(0.975), exact to double precision: simple-statistics' probit is off by 0.003 there (1.9572). */
const Z_95 = 1.959963984540054;
const zFor = (confidence: number) => (confidence === 0.95 ? Z_95 : probit(1 - (1 - confidence) / 2));

/** Wilson score interval of k successes out of n. */
export function wilson(k: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const z = zFor(confidence);
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: round(Math.max(0, centre - half)), high: round(Math.min(1, centre + half)) };
}

/** Newcombe's interval of p1 − p2 (hybrid score, from the two Wilson intervals). */
export function differenceOfShares(k1: number, n1: number, k2: number, n2: number, confidence = 0.95): Interval & { estimate: number } {
  const p1 = n1 ? k1 / n1 : 0;
  const p2 = n2 ? k2 / n2 : 0;
  const a = wilson(k1, n1, confidence);
  const b = wilson(k2, n2, confidence);
  const d = p1 - p2;
  const low = d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2);
  const high = d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2);
  return { estimate: round(d), low: round(Math.max(-1, low)), high: round(Math.min(1, high)) };
}

/** Mean and its normal interval (t would be wider only below ~30 values: results say n). */
export function meanInterval(values: readonly number[], confidence = 0.95): Interval & { estimate: number } {
  if (values.length === 0) return { estimate: 0, low: 0, high: 0 };
  const m = mean([...values]);
  if (values.length < 2) return { estimate: round(m, 2), low: round(m, 2), high: round(m, 2) };
  const half = (zFor(confidence) * sampleStandardDeviation([...values])) / Math.sqrt(values.length);
  return { estimate: round(m, 2), low: round(m - half, 2), high: round(m + half, 2) };
}

/** Interval of mean(a) − mean(b), normal (Welch's standard error). */
export function differenceOfMeans(a: readonly number[], b: readonly number[], confidence = 0.95): Interval & { estimate: number } {
  if (a.length < 2 || b.length < 2) {
    const d = (a.length ? mean([...a]) : 0) - (b.length ? mean([...b]) : 0);
    return { estimate: round(d, 2), low: round(d, 2), high: round(d, 2) };
  }
  const d = mean([...a]) - mean([...b]);
  const se = Math.sqrt(sampleStandardDeviation([...a]) ** 2 / a.length + sampleStandardDeviation([...b]) ** 2 / b.length);
  const half = zFor(confidence) * se;
  return { estimate: round(d, 2), low: round(d - half, 2), high: round(d + half, 2) };
}

/** Two-sided p-value of H0: p1 = p2 (pooled two-proportion z test); 1 when either group is empty. */
export function twoProportionPValue(k1: number, n1: number, k2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  const pooled = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  const z = Math.abs(k1 / n1 - k2 / n2) / se;
  // 2·(1 − Φ(z)) = 1 − erf(z/√2); simple-statistics' table Φ stops at 3.09, its erf does not.
  return Math.max(0, round(1 - errorFunction(z / Math.SQRT2), 7));
}
