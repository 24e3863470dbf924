import { Badge, BlockStack, Button, Card, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { ShowToast } from "~/components/useToast";
import type { GoalView } from "~/contracts/dashboard/settings-page.server";
import { formatDate, formatRate } from "~/contracts/dashboard/format";
import { formatMoney } from "~/utils/money";
import { SaveButton, SettingsSection, useFields, useSection } from "./SettingsForm";
import { useReportDirty } from "./UnsavedChanges";

// The recovery goal (what the overview measures progress against) and the webhook endpoints card.

const PERIODS = [
  { label: "Each month", value: "monthly" },
  { label: "Each quarter", value: "quarterly" },
  { label: "Each year", value: "annual" },
];
const PERIOD_WORD: Record<string, string> = { monthly: "This month", quarterly: "This quarter", annual: "This year" };

function goalForm(goal: GoalView) {
  return { targetPercent: goal.targetPercent === null ? "" : String(goal.targetPercent), targetAmount: goal.targetAmount ?? "", period: goal.period as string };
}

function Progress({ goal, timeZone }: { goal: GoalView; timeZone: string }) {
  const { progress } = goal;
  const until = formatDate(new Date(new Date(goal.periodEnd).getTime() - 1).toISOString(), timeZone, false);
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="p" tone="subdued">
        {PERIOD_WORD[goal.period] ?? "This period"} (until {until}): {formatRate(progress.currentRate)} recovered, {formatMoney(progress.recoveredMinor, goal.currency)} of{" "}
        {formatMoney(progress.failedMinor, goal.currency)} that failed.
      </Text>
      {goal.configured ? <Badge tone={progress.achieved ? "success" : "attention"}>{progress.achieved ? "Goal reached" : "Not reached yet"}</Badge> : null}
    </InlineStack>
  );
}

export function RecoveryGoalSection(props: { goal: GoalView; timeZone: string; disabled: boolean; showToast: ShowToast }) {
  const { goal, timeZone, disabled, showToast } = props;
  const [form, setForm] = useState(() => goalForm(goal));
  const section = useSection(showToast, (_settings, result) => result.goal && setForm(goalForm(result.goal)));
  const field = useFields(setForm, section.clear);
  useReportDirty("recovery-goal", JSON.stringify(form) !== JSON.stringify(goalForm(goal)));
  const save = () => section.submit({ intent: "recovery-goal", targetPercent: form.targetPercent, targetAmount: form.targetAmount, period: form.period });
  return (
    <SettingsSection
      id="recovery-goal"
      title="Recovery goal"
      description={`The share of failed revenue to win back each period, and optionally an amount, in ${goal.currency}. The overview shows how far along you are.`}
    >
      <Card>
        <BlockStack gap="400">
          <Progress goal={goal} timeZone={timeZone} />
          <FormLayout>
            <FormLayout.Group condensed>
              <TextField
                disabled={disabled}
                label="Target recovery rate"
                type="number"
                min={0}
                max={100}
                step={0.5}
                suffix="%"
                autoComplete="off"
                value={form.targetPercent}
                onChange={field("targetPercent")}
                error={section.errors.targetPercent}
              />
              <TextField
                disabled={disabled}
                label="Amount to recover (optional)"
                inputMode="decimal"
                autoComplete="off"
                suffix={goal.currency}
                value={form.targetAmount}
                onChange={field("targetAmount")}
                helpText="Left empty: the rate only."
                error={section.errors.targetAmount}
              />
            </FormLayout.Group>
            <Select disabled={disabled} label="Period" options={PERIODS} value={form.period} onChange={field("period")} error={section.errors.period} helpText="Calendar periods in your timezone." />
          </FormLayout>
          <SaveButton disabled={disabled} busy={section.busy} onClick={save} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

export function WebhooksSection({ webhooks }: { webhooks: { count: number; disabled: number } }) {
  const { count, disabled } = webhooks;
  const summary =
    count === 0
      ? "No endpoints yet: add one to receive Recoup's events (failed payments, recoveries, alerts) in your own systems."
      : `${count === 1 ? "1 endpoint" : `${count} endpoints`} receive Recoup's events.`;
  return (
    <SettingsSection id="webhook-endpoints" title="Webhook endpoints" description="Where Recoup posts its events, signed, with every delivery logged and retried.">
      <Card>
        <BlockStack gap="300">
          <Text as="p">{summary}</Text>
          {disabled > 0 ? (
            <InlineStack gap="200" blockAlign="center">
              <Badge tone="critical">{disabled === 1 ? "1 disabled" : `${disabled} disabled`}</Badge>
              <Text as="p" tone="subdued">
                A disabled endpoint receives nothing until it is turned on again.
              </Text>
            </InlineStack>
          ) : null}
          <InlineStack align="end">
            <Button url="/dashboard/webhooks">{count === 0 ? "Add an endpoint" : "Manage endpoints"}</Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}
