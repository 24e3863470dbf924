// Money in minor units, shown in the merchant's and customer's words.

// Exponents of the amounts the payment platforms send (Stripe's API), which are not always
// ISO 4217's or CLDR's: ISK is two-decimal in the API, MGA zero-decimal.
// https://docs.stripe.com/currencies#zero-decimal, https://docs.stripe.com/currencies#three-decimal,
// https://support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds
const ZERO_DECIMAL = new Set(["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);

/** How many decimal places an amount in minor units carries: JPY 0, USD 2, KWD 3. */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** Intl.NumberFormat is costly to build (a few hundred microseconds): one per locale, currency and digits, kept. */
const formats = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(locale: string, code: string, digits?: number): Intl.NumberFormat | null {
  const key = `${locale}|${code}|${digits ?? ""}`;
  let format = formats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: "currency", currency: code, ...(digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }) });
    } catch {
      format = null; // not a currency Intl knows, or not a locale
    }
    if (formats.size < 1000) formats.set(key, format);
  }
  return format;
}

/** An amount in minor units, for people: formatMoney(1234, 'usd') → "$12.34", formatMoney(1500, 'jpy') → "¥1,500". */
export function formatMoney(amountMinor: number, currency: string, locale = "en"): string {
  const code = currency.toUpperCase();
  const exponent = currencyExponent(code);
  const value = amountMinor / 10 ** exponent;
  let format = currencyFormat(locale, code);
  if (!format) return `${value.toFixed(exponent)} ${code}`;
  // Intl shows whole units for some currencies the API keeps cents for (ISK): keep any fraction that is really there.
  const { maximumFractionDigits = 0 } = format.resolvedOptions();
  if (exponent > maximumFractionDigits && amountMinor % 10 ** (exponent - maximumFractionDigits) !== 0) {
    format = currencyFormat(locale, code, exponent) ?? format;
  }
  return format.format(value);
}

/**
 * A decimal amount as written ("40.00", "0.5", "12") in integer minor units of `currency`, exactly:
 * digits only, never through a float. Null when it is not a plain non-negative decimal, or has more
 * decimals than the currency's minor unit (1.234 USD).
 */
export function decimalToMinor(text: string, currency: string): number | null {
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const exponent = currencyExponent(currency);
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > exponent) return null;
  return Number(match[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, "0") || "0");
}

/** Integer minor units as a decimal string with the currency's places: 4000 USD → "40.00", 1500 JPY → "1500". */
export function minorToDecimal(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? "-" : "";
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, "0");
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
