// Formatting for dashboard views. Deterministic across server and browser (no locale or
// timezone of the machine leaks in), so server-rendered HTML hydrates without mismatches.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}`;
  let format = formatters.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { month: "short", day: "numeric", year: "numeric" };
    if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    try {
      format = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
    }
    formatters.set(key, format);
  }
  return format;
}

/** "Nov 2, 2026, 08:15" (or "Nov 2, 2026" without the time) in the given IANA zone. */
export function formatDate(iso: string | null | undefined, timeZone = "UTC", withTime = true): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const parts = Object.fromEntries(formatterFor(timeZone, withTime).formatToParts(date).map((p) => [p.type, p.value]));
  const day = `${parts.month} ${parts.day}, ${parts.year}`;
  return withTime ? `${day}, ${parts.hour}:${parts.minute}` : day;
}

/** 0.4567 → "45.7%"; whole numbers lose the decimal: 1 → "100%". */
export function formatRate(rate: number): string {
  const percent = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

const zoneNames = new Map<string, Intl.DateTimeFormat | null>();

/** The zone's short name at that instant, as Intl writes it in en-US: "EST", "GMT+1", "GMT+5:30", "UTC". */
export function zoneAbbreviation(iso: string | Date, timeZone = "UTC"): string {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return "";
  let format = zoneNames.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" });
    } catch {
      format = null;
    }
    zoneNames.set(timeZone, format);
  }
  if (!format) return "UTC";
  return format.formatToParts(date).find((p) => p.type === "timeZoneName")?.value ?? "";
}

/** "Nov 2, 2026, 08:15 GMT+1": `formatDate` with the time, followed by the zone's short name. */
export function formatDateTimeInZone(iso: string | null | undefined, timeZone = "UTC"): string {
  const shown = formatDate(iso, timeZone, true);
  return shown ? `${shown} ${zoneAbbreviation(iso!, timeZone)}` : "";
}
