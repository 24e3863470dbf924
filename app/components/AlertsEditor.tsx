import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Checkbox, ChoiceList, FormLayout, InlineGrid, Modal, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { useAnswerErrors } from "~/components/PaymentsShared";
import type { AlertRuleForm, AlertsAction, AlertsLoader } from "~/contracts/dashboard/alerts-page.server";

// The alert rule form (create or edit), in a modal: every problem comes back at once, beside its field.

type Loaded = Awaited<ReturnType<AlertsLoader>>;
export type LoadedRule = Loaded["rules"][number];

export const WORDS: Record<string, string> = {
  payment_failed: "A payment failed",
  payment_succeeded: "A payment succeeded",
  payment_refunded: "A payment was refunded",
  fallback_triggered: "A pay-link fell back to the second provider",
  payment_abandoned: "A failed payment was given up on",
  provider_disconnected: "A payment provider was disconnected",
  subscription_past_due: "A subscription is past due",
  email: "Email",
  sms: "Text message (SMS)",
  webhook: "Webhook",
  in_app: "In the dashboard",
  realtime: "At once, for each event",
  daily_digest: "Daily digest (08:00)",
  weekly_digest: "Weekly digest (Monday 08:00)",
};

const label = (value: string) => WORDS[value] ?? value.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

type Form = Required<AlertRuleForm>;

function formOf(rule: LoadedRule | null): Form {
  return {
    name: rule?.name ?? "",
    enabled: rule?.enabled ?? true,
    eventType: rule?.eventType ?? "payment_failed",
    channel: rule?.channel ?? "email",
    cadence: rule?.cadence ?? "realtime",
    amountMin: rule?.filter.amountMinMinor !== undefined ? (rule.filter.amountMinMinor / 100).toFixed(2) : "",
    providers: rule?.filter.providers ?? [],
    failureCodes: rule?.filter.failureCodes ?? [],
    paymentMethods: rule?.filter.paymentMethods ?? [],
    recipientEmails: rule?.recipientEmails.join(", ") ?? "",
    recipientPhones: rule?.recipientPhones.join(", ") ?? "",
    recipientRoles: rule?.recipientRoles ?? [],
    webhookEndpointId: rule?.webhookEndpointId ?? "",
  };
}

export function AlertRuleEditor(props: { rule: LoadedRule | null; open: boolean; onClose: () => void; onSaved: (message: string) => void; loaded: Loaded }) {
  const { rule, open, onClose, onSaved, loaded } = props;
  const fetcher = useFetcher<AlertsAction>({ key: `alert-rule-${rule?.id ?? "new"}` });
  const [form, setForm] = useState<Form>(() => formOf(rule));
  const answer = fetcher.state === "idle" ? fetcher.data : undefined;
  const failure = answer && !answer.ok ? answer : undefined;
  const { errorOf, touch } = useAnswerErrors(failure);
  useEffect(() => {
    if (open) setForm(formOf(rule));
  }, [open, rule]);
  useEffect(() => {
    if (answer?.ok) {
      onSaved(answer.toast);
      onClose();
    }
  }, [answer, onSaved, onClose]);
  const set = <K extends keyof Form>(key: K, errorKey: string = key) => (value: Form[K]) => {
    touch(errorKey);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const { options } = loaded;
  const choices = (values: string[]) => values.map((v) => ({ label: label(v), value: v }));
  const save = () => fetcher.submit({ intent: "save", ...(rule ? { id: rule.id } : {}), rule: form }, { method: "post", encType: "application/json" });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={rule ? `Edit “${rule.name}”` : "New alert rule"}
      primaryAction={{ content: rule ? "Save rule" : "Create rule", onAction: save, loading: fetcher.state !== "idle", disabled: Boolean(loaded.readOnly) }}
      secondaryActions={[{ content: "Cancel", onAction: onClose }]}
    >
      <Modal.Section>
        <FormLayout>
          {failure ? <Banner tone="critical" title={failure.message} /> : null}
          <TextField label="Name" value={form.name} onChange={set("name")} autoComplete="off" error={errorOf("name")} maxLength={120} />
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
            <Select label="When" options={choices(options.eventTypes)} value={form.eventType} onChange={set("eventType")} error={errorOf("eventType")} />
            <Select label="Send by" options={choices(options.channels)} value={form.channel} onChange={set("channel")} error={errorOf("channel")} />
            <Select label="How often" options={choices(options.cadences)} value={form.cadence} onChange={set("cadence")} error={errorOf("cadence")} />
          </InlineGrid>
          {form.channel === "email" ? (
            <TextField
              label="Email addresses"
              value={form.recipientEmails}
              onChange={set("recipientEmails")}
              autoComplete="off"
              multiline={2}
              helpText="Separated by commas. Or choose roles below: every member with the role is emailed."
              error={errorOf("recipientEmails")}
            />
          ) : null}
          {form.channel === "sms" ? (
            <TextField
              label="Phone numbers"
              value={form.recipientPhones}
              onChange={set("recipientPhones")}
              autoComplete="off"
              helpText="Separated by commas: UK numbers as you dial them, others with their country code (+1 415 555 2671)."
              error={errorOf("recipientPhones")}
            />
          ) : null}
          {form.channel === "webhook" ? (
            loaded.endpoints.length ? (
              <Select
                label="Webhook endpoint"
                options={[{ label: "Choose an endpoint", value: "" }, ...loaded.endpoints.map((e) => ({ label: e.label, value: e.id }))]}
                value={form.webhookEndpointId}
                onChange={set("webhookEndpointId")}
                error={errorOf("webhookEndpointId")}
              />
            ) : (
              <Banner tone="warning" title="No webhook endpoint yet">
                <p>Add one in Settings → Webhooks (or with POST /api/v1/webhooks/endpoints), then choose it here.</p>
              </Banner>
            )
          ) : null}
          {form.channel === "email" || form.channel === "in_app" ? (
            <ChoiceList
              allowMultiple
              title={form.channel === "in_app" ? "Who sees it (nobody chosen: every member)" : "Members with these roles"}
              choices={options.roles.map((r) => ({ label: label(r), value: r }))}
              selected={form.recipientRoles}
              onChange={set("recipientRoles")}
              error={errorOf("recipientRoles")}
            />
          ) : null}
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              Only events that match (optional)
            </Text>
            <TextField
              label="Minimum amount"
              value={form.amountMin}
              onChange={set("amountMin", "filter")}
              autoComplete="off"
              inputMode="decimal"
              helpText="In the payment's own currency, e.g. 50.00."
              error={errorOf("filter")}
            />
            <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
              <ChoiceList allowMultiple title="Providers" choices={choices(options.providers)} selected={form.providers} onChange={set("providers", "filter")} />
              <ChoiceList allowMultiple title="Failure reasons" choices={choices(options.failureCodes)} selected={form.failureCodes} onChange={set("failureCodes", "filter")} />
              <ChoiceList allowMultiple title="Payment methods" choices={choices(options.paymentMethods)} selected={form.paymentMethods} onChange={set("paymentMethods", "filter")} />
            </InlineGrid>
          </BlockStack>
          <Checkbox label="Turned on" checked={form.enabled} onChange={set("enabled")} />
        </FormLayout>
      </Modal.Section>
    </Modal>
  );
}
