// Time zones as the merchant picks them: today's IANA names (Asia/Kolkata, Europe/Kyiv), not the
// older aliases the ICU in Node and Chrome still lists (Asia/Calcutta, Europe/Kiev), with their
// UTC offset now. Pure and browser-safe: the settings page's server and its picker share it.

// ICU (CLDR) keeps the first name a zone had; IANA renamed these since. A workspace saved with an
// alias keeps working (Intl and luxon accept both) and is shown, and saved again, under today's name.
// https://github.com/eggert/tz/blob/main/backward
const CURRENT_NAME: Record<string, string> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Europe/Uzhgorod": "Europe/Kyiv",
  "Europe/Zaporozhye": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
  "Asia/Dacca": "Asia/Dhaka",
  "Asia/Thimbu": "Asia/Thimphu",
  "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
  "Asia/Chungking": "Asia/Chongqing",
  "Asia/Ujung_Pandang": "Asia/Makassar",
  "Asia/Macao": "Asia/Macau",
  "Asia/Ashkhabad": "Asia/Ashgabat",
  "Asia/Tel_Aviv": "Asia/Jerusalem",
  "Europe/Nicosia": "Asia/Nicosia",
  "Etc/UTC": "UTC",
  "Etc/GMT": "UTC",
  GMT: "UTC",
};

/** Today's IANA name of a zone: `Asia/Calcutta` → `Asia/Kolkata`; a current name is itself. */
export function currentZoneName(zone: string): string {
  return CURRENT_NAME[zone] ?? zone;
}

/** The older names a zone is also known by (searching "Calcutta" finds Kolkata). */
export function zoneAliases(zone: string): string[] {
  return Object.keys(CURRENT_NAME).filter((alias) => CURRENT_NAME[alias] === zone);
}

/** Every zone under today's name, UTC first, each once: from the runtime's list, which may still use old names. */
export function currentZoneNames(supported: readonly string[]): string[] {
  const names = new Set(["UTC"]);
  for (const zone of supported) names.add(currentZoneName(zone));
  return [...names];
}

const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();

/** "UTC+05:30" at `at` (the offset of the day: summer time included). */
export function utcOffsetLabel(zone: string, at: Date): string {
  let format = offsetFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    } catch {
      format = null;
    }
    offsetFormats.set(zone, format);
  }
  const name = format?.formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  // "GMT+05:30", or "GMT" for an offset of zero.
  return name === "GMT" ? "UTC+00:00" : name.replace("GMT", "UTC");
}

export interface ZoneOption {
  /** The IANA name saved: `Asia/Kolkata`. */
  value: string;
  /** What the list shows: `Kolkata (Asia) · UTC+05:30`. */
  label: string;
  /** The region, for the list's sections: `Asia`. */
  region: string;
  /** Lower-case words searched: city, region, IANA name, aliases, offset. */
  search: string;
}

/** `America/Argentina/Buenos_Aires` → city `Buenos Aires`, region `America`. */
function partsOf(zone: string): { city: string; region: string } {
  const parts = zone.split("/");
  if (parts.length === 1) return { city: zone, region: "Other" };
  return { city: parts.slice(1).reverse().join(", ").replaceAll("_", " "), region: parts[0]! };
}

/** One zone as the picker lists it, with its offset at `at`. */
export function zoneOption(zone: string, at: Date): ZoneOption {
  const { city, region } = partsOf(zone);
  const offset = utcOffsetLabel(zone, at);
  const label = zone === "UTC" ? `UTC · ${offset}` : `${city} (${region}) · ${offset}`;
  const search = [zone, city, region, offset, ...zoneAliases(zone)].join(" ").replaceAll("_", " ").toLowerCase();
  return { value: zone, label, region, search };
}

/** The options whose city, region, name, old name or offset contain every word typed. */
export function searchZones(options: readonly ZoneOption[], query: string): ZoneOption[] {
  const words = query.toLowerCase().replaceAll("_", " ").split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...options];
  return options.filter((option) => words.every((word) => option.search.includes(word)));
}
