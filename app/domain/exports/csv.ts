// CSV as spreadsheets read it: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180) with CRLF line
// ends, and text that cannot run as a formula when the file is opened (OWASP's CSV injection:
// https://owasp.org/www-community/attacks/CSV_Injection).
import { DateTime } from "luxon";
import { minorToDecimal } from "~/utils/money";

/** A number we wrote ourselves (an amount, a count): never prefixed, even when negative. */
export interface CsvNumber {
  number: string;
}

export type CsvCell = string | number | boolean | null | undefined | CsvNumber;

// A leading tab or CR also starts a formula in some spreadsheets once trimmed.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: text that would start a formula gets a leading `'`; quoted when it holds `,` `"` CR or LF. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = typeof value === "string" ? (FORMULA_START.test(value) ? `'${value}` : value) : value.number;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** Minor units as a decimal in the currency's own exponent: 123456 USD → 1234.56, 1500 JPY → 1500. */
export function csvMoney(amountMinor: number | null | undefined, currency: string): CsvNumber | null {
  if (amountMinor === null || amountMinor === undefined) return null;
  return { number: minorToDecimal(amountMinor, currency) };
}

/** ISO 8601 with the zone's offset ("2026-11-02T08:15:00+13:00"); empty for no date. */
export function csvDate(date: Date | null | undefined, timeZone: string): string | null {
  if (!date) return null;
  const local = DateTime.fromJSDate(date, { zone: timeZone });
  return (local.isValid ? local : DateTime.fromJSDate(date, { zone: "UTC" })).toISO({ suppressMilliseconds: true });
}
