import { Autocomplete, Text } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { currentZoneName, searchZones, zoneOption, type ZoneOption } from "~/contracts/dashboard/time-zones";

/** Options listed at first; more as the list is scrolled to its end (Polaris asks for them). */
const PAGE = 60;

/**
 * A searchable time zone field: type a city, a region, an old name ("Calcutta") or an offset
 * ("+05:30"); the list shows today's IANA names with their UTC offset now, grouped by region.
 * `zones` come from the server (its ICU), `at` is the instant the offsets are for, so that the
 * server's render and the browser's agree.
 */
export function TimeZonePicker(props: {
  label: string;
  zones: readonly string[];
  value: string;
  at: string;
  onChange: (zone: string) => void;
  helpText?: string;
  error?: string;
  disabled?: boolean;
}) {
  const { zones, at, onChange } = props;
  const value = currentZoneName(props.value);
  const options = useMemo(() => {
    const instant = new Date(at);
    return zones.map((zone) => zoneOption(zone, instant));
  }, [zones, at]);
  const selected = useMemo(() => options.find((o) => o.value === value) ?? zoneOption(value, new Date(at)), [options, value, at]);
  const [query, setQuery] = useState<string | null>(null);
  const [shown, setShown] = useState(PAGE);

  const matches = useMemo(() => searchZones(options, query ?? ""), [options, query]);
  const sections = useMemo(() => {
    const byRegion = new Map<string, ZoneOption[]>();
    for (const option of matches.slice(0, shown)) {
      const list = byRegion.get(option.region) ?? [];
      list.push(option);
      byRegion.set(option.region, list);
    }
    return [...byRegion].map(([title, list]) => ({ title, options: list.map((o) => ({ value: o.value, label: o.label })) }));
  }, [matches, shown]);

  const textField = (
    <Autocomplete.TextField
      label={props.label}
      autoComplete="off"
      disabled={props.disabled}
      // While typing, what is typed; otherwise the zone chosen.
      value={query ?? selected.label}
      placeholder="Search a city, region or offset"
      onChange={(typed) => {
        setQuery(typed);
        setShown(PAGE);
      }}
      onFocus={() => setQuery("")}
      onBlur={() => setQuery(null)}
      helpText={props.helpText}
      error={props.error}
    />
  );
  return (
    <Autocomplete
      options={sections}
      selected={[value]}
      textField={textField}
      onSelect={([zone]) => {
        if (zone) onChange(zone);
        setQuery(null);
      }}
      willLoadMoreResults={matches.length > shown}
      onLoadMoreResults={() => setShown((n) => n + PAGE)}
      emptyState={
        <div style={{ padding: 12 }}>
          <Text as="p" tone="subdued">
            No time zone matches &ldquo;{query}&rdquo;. Try a city nearby, or an offset such as +05:30.
          </Text>
        </div>
      }
    />
  );
}
