import { IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { countryCode, validZone, zoneForPlace } from "./customer-zone";

describe("zoneForPlace", () => {
  it("knows the multi-zone countries' states and provinces, by code or name", () => {
    expect(zoneForPlace("US", "IL")).toBe("America/Chicago");
    expect(zoneForPlace("us", "US-CA")).toBe("America/Los_Angeles");
    expect(zoneForPlace("US", "Arizona")).toBe("America/Phoenix");
    expect(zoneForPlace("CA", "BC")).toBe("America/Vancouver");
    expect(zoneForPlace("CA", "Québec")).toBe("America/Toronto");
    expect(zoneForPlace("AU", "WA")).toBe("Australia/Perth");
    expect(zoneForPlace("AU", "Queensland")).toBe("Australia/Brisbane");
    expect(zoneForPlace("BR", "AM")).toBe("America/Manaus");
    expect(zoneForPlace("MX", "BC")).toBe("America/Tijuana");
    expect(zoneForPlace("MX", "JAL")).toBe("America/Mexico_City");
  });

  it("falls back to the country's main zone, and knows nothing of a non-country", () => {
    expect(zoneForPlace("US", null)).toBe("America/New_York");
    expect(zoneForPlace("US", "Atlantis")).toBe("America/New_York");
    expect(zoneForPlace("CA")).toBe("America/Toronto");
    expect(zoneForPlace("RU")).toBe("Europe/Moscow");
    expect(zoneForPlace("FR", "Île-de-France")).toBe("Europe/Paris");
    expect(zoneForPlace("JP")).toBe("Asia/Tokyo");
    expect(zoneForPlace("XX")).toBeNull();
    expect(zoneForPlace("USA")).toBeNull();
    expect(zoneForPlace(null)).toBeNull();
    expect(countryCode(" de ")).toBe("DE");
  });

  it("names a zone by its canonical name, and nothing that is not one", () => {
    expect(validZone("america/chicago")).toBe("America/Chicago");
    expect(validZone(" US/Central ")).toBe("America/Chicago");
    expect(validZone("Europe/Paris")).toBe("Europe/Paris");
    expect(validZone("Mars/Olympus_Mons")).toBeNull();
    expect(validZone("")).toBeNull();
  });

  it("names only zones the runtime knows", () => {
    const countries = "AD AE AR AU BR CA DE FR GB IN JP MX NZ RU US ZA".split(" ");
    const regions = ["AL", "AK", "HI", "NT", "WA", "SA", "AC", "RO", "SON", "ROO", "CHIH", "NL", "YT", "NU", "PR", "GU"];
    for (const c of countries) {
      for (const r of [null, ...regions]) {
        const zone = zoneForPlace(c, r);
        expect(zone && IANAZone.isValidZone(zone), `${c} ${r} → ${zone}`).toBe(true);
      }
    }
  });
});
