import { parsePhoneNumberFromString } from "libphonenumber-js";

/**
 * A customer's mobile as E.164, UK-first: a national number ("07911 123456") is read as British,
 * an international one ("+33 6 12 34 56 78", "0044 7911 123456") as written. Null when it is not a
 * valid number anywhere (libphonenumber's metadata decides, not a regular expression).
 */
export function parseMobile(input: string): string | null {
  const trimmed = input.trim().replace(/^00(?=[1-9])/, "+");
  const parsed = parsePhoneNumberFromString(trimmed, "GB");
  return parsed?.isValid() ? parsed.number : null;
}
