// A customer's IANA time zone from where they live (ADR 0048): the country, and for the countries
// that span several zones and matter most to subscription merchants (US, CA, AU, BR, MX) the state or
// province. Pure data, no IO.
import { IANAZone } from "luxon";
//
// Sources: every country's zone is the first zone IANA's tzdb (2025b) lists for it in zone.tab, which
// is its most populous; where that is not so (a country spanning zones) the zone of the region holding
// most of its people is chosen instead, marked "≠ zone.tab" below. Region → zone: each state's or
// province's legal time (zone.tab's comments name the regions of each zone); a state split between two
// zones takes its most populous part's (Florida: Eastern; Tennessee: Central; Oregon: Pacific).
// Region codes are ISO 3166-2's without the country prefix (Stripe's and Shopify's `state`/`provinceCode`),
// plus the English names of US states and Canadian provinces (Stripe accepts free text there).

/** Country → its main zone (ISO 3166-1 alpha-2 → IANA). */
const COUNTRY_ZONE: Record<string, string> = Object.fromEntries(
  `
  AD=Europe/Andorra AE=Asia/Dubai AF=Asia/Kabul AG=America/Antigua AI=America/Anguilla AL=Europe/Tirane
  AM=Asia/Yerevan AO=Africa/Luanda AR=America/Argentina/Buenos_Aires AS=Pacific/Pago_Pago
  AT=Europe/Vienna AU=Australia/Sydney AW=America/Aruba AX=Europe/Mariehamn AZ=Asia/Baku
  BA=Europe/Sarajevo BB=America/Barbados BD=Asia/Dhaka BE=Europe/Brussels BF=Africa/Ouagadougou
  BG=Europe/Sofia BH=Asia/Bahrain BI=Africa/Bujumbura BJ=Africa/Porto-Novo BL=America/St_Barthelemy
  BM=Atlantic/Bermuda BN=Asia/Brunei BO=America/La_Paz BQ=America/Kralendijk BR=America/Sao_Paulo
  BS=America/Nassau BT=Asia/Thimphu BW=Africa/Gaborone BY=Europe/Minsk BZ=America/Belize
  CA=America/Toronto CC=Indian/Cocos CD=Africa/Kinshasa CF=Africa/Bangui CG=Africa/Brazzaville
  CH=Europe/Zurich CI=Africa/Abidjan CK=Pacific/Rarotonga CL=America/Santiago CM=Africa/Douala
  CN=Asia/Shanghai CO=America/Bogota CR=America/Costa_Rica CU=America/Havana CV=Atlantic/Cape_Verde
  CW=America/Curacao CX=Indian/Christmas CY=Asia/Nicosia CZ=Europe/Prague DE=Europe/Berlin
  DJ=Africa/Djibouti DK=Europe/Copenhagen DM=America/Dominica DO=America/Santo_Domingo DZ=Africa/Algiers
  EC=America/Guayaquil EE=Europe/Tallinn EG=Africa/Cairo EH=Africa/El_Aaiun ER=Africa/Asmara
  ES=Europe/Madrid ET=Africa/Addis_Ababa FI=Europe/Helsinki FJ=Pacific/Fiji FK=Atlantic/Stanley
  FM=Pacific/Pohnpei FO=Atlantic/Faroe FR=Europe/Paris GA=Africa/Libreville GB=Europe/London
  GD=America/Grenada GE=Asia/Tbilisi GF=America/Cayenne GG=Europe/Guernsey GH=Africa/Accra
  GI=Europe/Gibraltar GL=America/Nuuk GM=Africa/Banjul GN=Africa/Conakry GP=America/Guadeloupe
  GQ=Africa/Malabo GR=Europe/Athens GS=Atlantic/South_Georgia GT=America/Guatemala GU=Pacific/Guam
  GW=Africa/Bissau GY=America/Guyana HK=Asia/Hong_Kong HN=America/Tegucigalpa HR=Europe/Zagreb
  HT=America/Port-au-Prince HU=Europe/Budapest ID=Asia/Jakarta IE=Europe/Dublin IL=Asia/Jerusalem
  IM=Europe/Isle_of_Man IN=Asia/Kolkata IO=Indian/Chagos IQ=Asia/Baghdad IR=Asia/Tehran
  IS=Atlantic/Reykjavik IT=Europe/Rome JE=Europe/Jersey JM=America/Jamaica JO=Asia/Amman JP=Asia/Tokyo
  KE=Africa/Nairobi KG=Asia/Bishkek KH=Asia/Phnom_Penh KI=Pacific/Tarawa KM=Indian/Comoro
  KN=America/St_Kitts KP=Asia/Pyongyang KR=Asia/Seoul KW=Asia/Kuwait KY=America/Cayman KZ=Asia/Almaty
  LA=Asia/Vientiane LB=Asia/Beirut LC=America/St_Lucia LI=Europe/Vaduz LK=Asia/Colombo LR=Africa/Monrovia
  LS=Africa/Maseru LT=Europe/Vilnius LU=Europe/Luxembourg LV=Europe/Riga LY=Africa/Tripoli
  MA=Africa/Casablanca MC=Europe/Monaco MD=Europe/Chisinau ME=Europe/Podgorica MF=America/Marigot
  MG=Indian/Antananarivo MH=Pacific/Majuro MK=Europe/Skopje ML=Africa/Bamako MM=Asia/Yangon
  MN=Asia/Ulaanbaatar MO=Asia/Macau MP=Pacific/Saipan MQ=America/Martinique MR=Africa/Nouakchott
  MS=America/Montserrat MT=Europe/Malta MU=Indian/Mauritius MV=Indian/Maldives MW=Africa/Blantyre
  MX=America/Mexico_City MY=Asia/Kuala_Lumpur MZ=Africa/Maputo NA=Africa/Windhoek NC=Pacific/Noumea
  NE=Africa/Niamey NF=Pacific/Norfolk NG=Africa/Lagos NI=America/Managua NL=Europe/Amsterdam
  NO=Europe/Oslo NP=Asia/Kathmandu NR=Pacific/Nauru NU=Pacific/Niue NZ=Pacific/Auckland OM=Asia/Muscat
  PA=America/Panama PE=America/Lima PF=Pacific/Tahiti PG=Pacific/Port_Moresby PH=Asia/Manila
  PK=Asia/Karachi PL=Europe/Warsaw PM=America/Miquelon PN=Pacific/Pitcairn PR=America/Puerto_Rico
  PS=Asia/Hebron PT=Europe/Lisbon PW=Pacific/Palau PY=America/Asuncion QA=Asia/Qatar RE=Indian/Reunion
  RO=Europe/Bucharest RS=Europe/Belgrade RU=Europe/Moscow UA=Europe/Kyiv RW=Africa/Kigali SA=Asia/Riyadh
  SB=Pacific/Guadalcanal SC=Indian/Mahe SD=Africa/Khartoum SE=Europe/Stockholm SG=Asia/Singapore
  SH=Atlantic/St_Helena SI=Europe/Ljubljana SJ=Arctic/Longyearbyen SK=Europe/Bratislava
  SL=Africa/Freetown SM=Europe/San_Marino SN=Africa/Dakar SO=Africa/Mogadishu SR=America/Paramaribo
  SS=Africa/Juba ST=Africa/Sao_Tome SV=America/El_Salvador SX=America/Lower_Princes SY=Asia/Damascus
  SZ=Africa/Mbabane TC=America/Grand_Turk TD=Africa/Ndjamena TF=Indian/Kerguelen TG=Africa/Lome
  TH=Asia/Bangkok TJ=Asia/Dushanbe TK=Pacific/Fakaofo TL=Asia/Dili TM=Asia/Ashgabat TN=Africa/Tunis
  TO=Pacific/Tongatapu TR=Europe/Istanbul TT=America/Port_of_Spain TV=Pacific/Funafuti TW=Asia/Taipei
  TZ=Africa/Dar_es_Salaam UG=Africa/Kampala UM=Pacific/Midway US=America/New_York UY=America/Montevideo
  UZ=Asia/Tashkent VA=Europe/Vatican VC=America/St_Vincent VE=America/Caracas VG=America/Tortola
  VI=America/St_Thomas VN=Asia/Ho_Chi_Minh VU=Pacific/Efate WF=Pacific/Wallis WS=Pacific/Apia
  YE=Asia/Aden YT=Indian/Mayotte ZA=Africa/Johannesburg ZM=Africa/Lusaka ZW=Africa/Harare
`
    .trim()
    .split(/\s+/)
    .map((pair) => pair.split("=") as [string, string]),
);
// ≠ zone.tab: AU Sydney, BR Sao_Paulo, CA Toronto, RU Moscow, US New_York, UA Kyiv, UZ Tashkent,
// FM Pohnpei, PS Hebron (zone.tab lists an outlying zone first for these).

const US: Record<string, string> = {
  AL: "America/Chicago", AK: "America/Anchorage", AZ: "America/Phoenix", AR: "America/Chicago", CA: "America/Los_Angeles",
  CO: "America/Denver", CT: "America/New_York", DE: "America/New_York", DC: "America/New_York", FL: "America/New_York",
  GA: "America/New_York", HI: "Pacific/Honolulu", ID: "America/Boise", IL: "America/Chicago", IN: "America/Indiana/Indianapolis",
  IA: "America/Chicago", KS: "America/Chicago", KY: "America/New_York", LA: "America/Chicago", ME: "America/New_York",
  MD: "America/New_York", MA: "America/New_York", MI: "America/Detroit", MN: "America/Chicago", MS: "America/Chicago",
  MO: "America/Chicago", MT: "America/Denver", NE: "America/Chicago", NV: "America/Los_Angeles", NH: "America/New_York",
  NJ: "America/New_York", NM: "America/Denver", NY: "America/New_York", NC: "America/New_York", ND: "America/Chicago",
  OH: "America/New_York", OK: "America/Chicago", OR: "America/Los_Angeles", PA: "America/New_York", RI: "America/New_York",
  SC: "America/New_York", SD: "America/Chicago", TN: "America/Chicago", TX: "America/Chicago", UT: "America/Denver",
  VT: "America/New_York", VA: "America/New_York", WA: "America/Los_Angeles", WV: "America/New_York", WI: "America/Chicago",
  WY: "America/Denver", PR: "America/Puerto_Rico", GU: "Pacific/Guam", VI: "America/St_Thomas", AS: "Pacific/Pago_Pago",
  MP: "Pacific/Saipan",
};
const US_NAMES: Record<string, string> = {
  ALABAMA: "AL", ALASKA: "AK", ARIZONA: "AZ", ARKANSAS: "AR", CALIFORNIA: "CA", COLORADO: "CO", CONNECTICUT: "CT",
  DELAWARE: "DE", "DISTRICT OF COLUMBIA": "DC", FLORIDA: "FL", GEORGIA: "GA", HAWAII: "HI", IDAHO: "ID", ILLINOIS: "IL",
  INDIANA: "IN", IOWA: "IA", KANSAS: "KS", KENTUCKY: "KY", LOUISIANA: "LA", MAINE: "ME", MARYLAND: "MD",
  MASSACHUSETTS: "MA", MICHIGAN: "MI", MINNESOTA: "MN", MISSISSIPPI: "MS", MISSOURI: "MO", MONTANA: "MT", NEBRASKA: "NE",
  NEVADA: "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC",
  "NORTH DAKOTA": "ND", OHIO: "OH", OKLAHOMA: "OK", OREGON: "OR", PENNSYLVANIA: "PA", "RHODE ISLAND": "RI",
  "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", TENNESSEE: "TN", TEXAS: "TX", UTAH: "UT", VERMONT: "VT", VIRGINIA: "VA",
  WASHINGTON: "WA", "WEST VIRGINIA": "WV", WISCONSIN: "WI", WYOMING: "WY", "PUERTO RICO": "PR",
};

const CA: Record<string, string> = {
  AB: "America/Edmonton", BC: "America/Vancouver", MB: "America/Winnipeg", NB: "America/Moncton", NL: "America/St_Johns",
  NS: "America/Halifax", NT: "America/Edmonton", NU: "America/Iqaluit", ON: "America/Toronto", PE: "America/Halifax",
  QC: "America/Toronto", SK: "America/Regina", YT: "America/Whitehorse",
};
const CA_NAMES: Record<string, string> = {
  ALBERTA: "AB", "BRITISH COLUMBIA": "BC", MANITOBA: "MB", "NEW BRUNSWICK": "NB", "NEWFOUNDLAND AND LABRADOR": "NL",
  "NOVA SCOTIA": "NS", "NORTHWEST TERRITORIES": "NT", NUNAVUT: "NU", ONTARIO: "ON", "PRINCE EDWARD ISLAND": "PE",
  QUEBEC: "QC", QUÉBEC: "QC", SASKATCHEWAN: "SK", YUKON: "YT",
};

const AU: Record<string, string> = {
  ACT: "Australia/Sydney", NSW: "Australia/Sydney", NT: "Australia/Darwin", QLD: "Australia/Brisbane",
  SA: "Australia/Adelaide", TAS: "Australia/Hobart", VIC: "Australia/Melbourne", WA: "Australia/Perth",
};
const AU_NAMES: Record<string, string> = {
  "AUSTRALIAN CAPITAL TERRITORY": "ACT", "NEW SOUTH WALES": "NSW", "NORTHERN TERRITORY": "NT", QUEENSLAND: "QLD",
  "SOUTH AUSTRALIA": "SA", TASMANIA: "TAS", VICTORIA: "VIC", "WESTERN AUSTRALIA": "WA",
};

const BR: Record<string, string> = {
  AC: "America/Rio_Branco", AL: "America/Maceio", AP: "America/Belem", AM: "America/Manaus", BA: "America/Bahia",
  CE: "America/Fortaleza", DF: "America/Sao_Paulo", ES: "America/Sao_Paulo", GO: "America/Sao_Paulo", MA: "America/Fortaleza",
  MT: "America/Cuiaba", MS: "America/Campo_Grande", MG: "America/Sao_Paulo", PA: "America/Belem", PB: "America/Fortaleza",
  PR: "America/Sao_Paulo", PE: "America/Recife", PI: "America/Fortaleza", RJ: "America/Sao_Paulo", RN: "America/Fortaleza",
  RS: "America/Sao_Paulo", RO: "America/Porto_Velho", RR: "America/Boa_Vista", SC: "America/Sao_Paulo", SP: "America/Sao_Paulo",
  SE: "America/Maceio", TO: "America/Araguaina",
};

// Mexico: ISO 3166-2 codes, and Shopify's own (AGS, BC, CHIS, DF, …) where they differ.
const MX_CENTRAL = "America/Mexico_City";
const MX: Record<string, string> = {
  BCN: "America/Tijuana", BC: "America/Tijuana", BCS: "America/Mazatlan", SIN: "America/Mazatlan", NAY: "America/Mazatlan",
  SON: "America/Hermosillo", CHH: "America/Chihuahua", CHIH: "America/Chihuahua", ROO: "America/Cancun", "Q ROO": "America/Cancun",
  NLE: "America/Monterrey", NL: "America/Monterrey", COA: "America/Monterrey", COAH: "America/Monterrey",
  TAM: "America/Monterrey", TAMPS: "America/Monterrey", YUC: "America/Merida", CAM: "America/Merida", CAMP: "America/Merida",
};

const REGIONS: Record<string, { zones: Record<string, string>; names?: Record<string, string> }> = {
  US: { zones: US, names: US_NAMES },
  CA: { zones: CA, names: CA_NAMES },
  AU: { zones: AU, names: AU_NAMES },
  BR: { zones: BR },
  MX: { zones: MX },
};

/**
 * The zone's canonical IANA name if the runtime knows it, else null: "america/chicago", "US/Central"
 * and ICU's legacy "CST" are all "America/Chicago", so one customer is not in two zones by spelling.
 */
export function validZone(name: string | null | undefined): string | null {
  const zone = name?.trim();
  if (!zone) return null;
  let canonical = canonicalZones.get(zone);
  if (canonical === undefined) {
    canonical = IANAZone.isValidZone(zone) ? new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone : null;
    canonicalZones.set(zone, canonical);
  }
  return canonical;
}
// The policy asks for the same few zones many times per decision; a formatter per call is not cheap.
const canonicalZones = new Map<string, string | null>();

/**
 * The zone a customer's day is read in (retries, emails, quiet hours, what the workspace learnt):
 * the customer's when known and valid, else the workspace's, else UTC.
 */
export function zoneOf(customerTimezone: string | null | undefined, workspaceTimezone: string | null | undefined): string {
  return validZone(customerTimezone) ?? validZone(workspaceTimezone) ?? "UTC";
}

/** An ISO 3166-1 alpha-2 code, upper case, or null for anything else. */
export function countryCode(value: string | null | undefined): string | null {
  const code = value?.trim().toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) ? code : null;
}

/**
 * The customer's IANA zone from their country and, where it matters, their state or province
 * ("CA", "US-CA", "California"). Null for an unknown country. An unknown region gets the country's
 * main zone: a guess a few hours off beats UTC, which is the whole ocean off.
 */
export function zoneForPlace(country: string | null | undefined, region?: string | null): string | null {
  const code = countryCode(country);
  if (!code) return null;
  const regional = REGIONS[code];
  if (regional && region) {
    const key = region.trim().toUpperCase().replace(new RegExp(`^${code}-`), "");
    const zone = regional.zones[key] ?? regional.zones[regional.names?.[key] ?? ""];
    if (zone) return zone;
    if (code === "MX" && key) return MX_CENTRAL;
  }
  return COUNTRY_ZONE[code] ?? null;
}
