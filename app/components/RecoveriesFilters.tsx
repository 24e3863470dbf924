import { Form, useSubmit } from "@remix-run/react";
import { Box, Button, InlineGrid, InlineStack, Select, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { ReactNode } from "react";

/** The list's filters as the URL carries them (app/contracts/dashboard/recoveries.server.ts). */
export interface RecoveriesFilterValues {
  q?: string;
  status?: string;
  category?: string;
  provider?: string;
  campaign?: string;
  paused?: string;
  from?: string;
  to?: string;
}

const CATEGORY_OPTIONS = [
  { label: "Any decline", value: "" },
  { label: "Soft: worth a retry", value: "soft_retry" },
  { label: "Needs the customer", value: "hard_customer" },
  { label: "Terminal", value: "terminal" },
  { label: "Unknown", value: "unknown" },
];

const PAUSED_OPTIONS = [
  { label: "Paused or not", value: "" },
  { label: "Paused", value: "true" },
  { label: "Not paused", value: "false" },
];

const PROVIDER_NAMES: Record<string, string> = { stripe: "Stripe", shopify: "Shopify" };

/**
 * Search, filters and the failure-date range of a recoveries list: one GET form, so every view is
 * a URL (shareable, the back button undoes it) and works without JavaScript; with it, a changed
 * select applies at once. `keep` are the page's other parameters (the overview's period, App
 * Bridge's…), carried along; the cursor is dropped by any change.
 */
export function RecoveriesFilters(props: {
  action: string;
  values: RecoveriesFilterValues;
  options: { providers: string[]; campaigns: Array<{ id: string; name: string }> };
  keep: Record<string, string>;
  clearUrl: string | null;
  actions?: ReactNode;
}) {
  const { values, options, keep } = props;
  const submit = useSubmit();
  const [q, setQ] = useState(values.q ?? "");
  const [from, setFrom] = useState(values.from ?? "");
  const [to, setTo] = useState(values.to ?? "");
  // The back button brings other values: the fields follow the URL.
  useEffect(() => setQ(values.q ?? ""), [values.q]);
  useEffect(() => setFrom(values.from ?? ""), [values.from]);
  useEffect(() => setTo(values.to ?? ""), [values.to]);

  const apply = (changes: RecoveriesFilterValues) => {
    const next: Record<string, string> = { ...keep };
    const merged: RecoveriesFilterValues = { ...values, q, from, to, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) next[key] = value;
    submit(next, { method: "get", action: props.action, preventScrollReset: true });
  };

  return (
    <Box padding="300" borderBlockEndWidth="025" borderColor="border">
      <Form method="get" action={props.action} role="search" aria-label="Search and filter recoveries" preventScrollReset>
        {Object.entries(keep).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        {values.status ? <input type="hidden" name="status" value={values.status} /> : null}
        <InlineStack gap="200" blockAlign="end" wrap={false}>
          <div style={{ flex: 1, minWidth: 0 }}>
            <TextField
              label="Search recoveries"
              labelHidden
              placeholder="Customer name or email, invoice id"
              name="q"
              autoComplete="off"
              value={q}
              onChange={setQ}
              clearButton
              onClearButtonClick={() => {
                setQ("");
                apply({ q: "" });
              }}
            />
          </div>
          <Button submit>Search</Button>
        </InlineStack>
        <Box paddingBlockStart="300">
          <InlineGrid columns={{ xs: 1, sm: 2, md: 3, lg: 6 }} gap="200">
            <Select label="Decline" name="category" options={CATEGORY_OPTIONS} value={values.category ?? ""} onChange={(category) => apply({ category })} />
            <Select
              label="Provider"
              name="provider"
              options={[{ label: "Any provider", value: "" }, ...options.providers.map((p) => ({ label: PROVIDER_NAMES[p] ?? p, value: p }))]}
              value={values.provider ?? ""}
              onChange={(provider) => apply({ provider })}
            />
            <Select
              label="Campaign"
              name="campaign"
              options={[{ label: "Any campaign", value: "" }, ...options.campaigns.map((c) => ({ label: c.name, value: c.id }))]}
              value={values.campaign ?? ""}
              onChange={(campaign) => apply({ campaign })}
            />
            <Select label="Paused" name="paused" options={PAUSED_OPTIONS} value={values.paused ?? ""} onChange={(paused) => apply({ paused })} />
            <TextField
              label="Failed from"
              type="date"
              name="from"
              autoComplete="off"
              value={from}
              onChange={setFrom}
              onBlur={() => (from !== (values.from ?? "") ? apply({ from }) : undefined)}
            />
            <TextField
              label="Failed to"
              type="date"
              name="to"
              autoComplete="off"
              value={to}
              onChange={setTo}
              onBlur={() => (to !== (values.to ?? "") ? apply({ to }) : undefined)}
            />
          </InlineGrid>
        </Box>
        {props.clearUrl || props.actions ? (
          <Box paddingBlockStart="300">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              {props.clearUrl ? <Button url={props.clearUrl} variant="plain">Clear filters</Button> : <span />}
              {props.actions}
            </InlineStack>
          </Box>
        ) : null}
      </Form>
    </Box>
  );
}
