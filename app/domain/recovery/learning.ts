// What a workspace's own retries teach the policy: success by decline code, customer-local hour,
// weekday and day of the month. Pure: the rows come from learning.server.ts.

/** Decided Recoup retries (succeeded or declined) and how many succeeded. */
export interface Rate {
  attempts: number;
  successes: number;
}

export interface LearnedRates {
  /** Decided Recoup retries counted, and the period they span. */
  attempts: number;
  from: Date;
  to: Date;
  overall: Rate;
  /** By the decline code the retry followed (lower case). */
  byDeclineCode: Record<string, Rate>;
  /** By the customer's local hour of the retry, 0–23. */
  byLocalHour: Rate[];
  /** By the customer's local weekday of the retry, index 0 = Monday … 6 = Sunday. */
  byWeekday: Rate[];
  /** By the customer's local day of the month of the retry, index 0 = the 1st … 30 = the 31st. */
  byDayOfMonth: Rate[];
}
