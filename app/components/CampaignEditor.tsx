import { type ShouldRevalidateFunction, useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  ChoiceList,
  FormLayout,
  InlineGrid,
  InlineStack,
  Layout,
  Modal,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState } from "react";
import { CampaignStatusBadge } from "~/components/CampaignList";
import { CampaignSimulation } from "~/components/CampaignSimulation";
import { StepCards, stepDelayProblems, stepDraftsOf, stepFormsOf, StepPreviewAside, useStepsEditing, type StepForm } from "~/components/DunningSequenceEditor";
import { PageError } from "~/components/PageError";
import { useToast } from "~/components/useToast";
import { useCarriedToast, useFieldErrors, useFirstTime } from "~/components/useEditorPage";
import { useUnsavedChanges } from "~/components/UnsavedChanges";
import { formatRate } from "~/contracts/dashboard/format";
import type { CampaignEditorAction, CampaignEditorLoader, CampaignForm } from "~/contracts/dashboard/campaign-pages.server";
import type { CampaignCommand } from "~/domain/campaigns/model";
import { currencyExponent } from "~/utils/money";

// <base>/campaigns/:id (or /new): one campaign's name, trigger, filters, priority and emails,
// with the sequence editor's email cards and live preview, its lifecycle buttons, and a simulation
// of the campaign as it stands on the workspace's own recent failed payments.

/** Previews, test emails and simulations change nothing this page shows. */
export function campaignEditorShouldRevalidate(basePath: string): ShouldRevalidateFunction {
  return ({ formAction, json, defaultShouldRevalidate }) => {
    if (formAction === `${basePath}/dunning/preview`) return false;
    const intent = (json as { intent?: unknown } | undefined)?.intent;
    if (intent === "test-email" || intent === "simulate") return false;
    return defaultShouldRevalidate;
  };
}

type Loaded = Awaited<ReturnType<CampaignEditorLoader>>;
type Filters = CampaignForm["filters"];
type FormState = Omit<CampaignForm, "steps"> & { steps: StepForm[] };

function stateOf(form: CampaignForm): FormState {
  return { ...form, steps: stepFormsOf(form.steps) };
}

function formOfState(state: FormState): CampaignForm {
  return { ...state, steps: stepDraftsOf(state.steps) };
}

const CONFIRM: Partial<Record<CampaignCommand, { title: (name: string) => string; body: string; action: string }>> = {
  complete: {
    title: (name) => `Complete \u201c${name}\u201d?`,
    body: "It stops taking new failed payments; customers already in it get the rest of its emails. A completed campaign can't be activated again.",
    action: "Complete campaign",
  },
  archive: {
    title: (name) => `Archive \u201c${name}\u201d?`,
    body: "It stops taking new failed payments, and customers still in it get no more of its emails. An archived campaign can't be activated again.",
    action: "Archive campaign",
  },
};

function StatusCard(props: {
  campaign: NonNullable<Loaded["campaign"]>;
  dirty: boolean;
  readOnly: boolean;
  busy: CampaignCommand | null;
  onCommand: (command: CampaignCommand) => void;
}) {
  const { campaign, dirty, readOnly, busy, onCommand } = props;
  const { results } = campaign;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Status
          </Text>
          <CampaignStatusBadge status={campaign.status} />
        </InlineStack>
        <Text as="p">{campaign.statusWords}</Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {results.enrolled} enrolled · {results.running} still running · {results.recovered} recovered · {formatRate(results.recoveryRate)} recovery rate
        </Text>
        {campaign.commands.length ? (
          <BlockStack gap="200">
            <InlineStack gap="200">
              {campaign.commands.map(({ command, label }) => (
                <Button
                  key={command}
                  variant={command === "activate" ? "primary" : undefined}
                  tone={command === "archive" ? "critical" : undefined}
                  onClick={() => onCommand(command)}
                  loading={busy === command}
                  disabled={readOnly || dirty || (busy !== null && busy !== command)}
                >
                  {label}
                </Button>
              ))}
            </InlineStack>
            {dirty && !readOnly ? (
              <Text as="p" variant="bodySm" tone="caution">
                Save your changes first: the status applies to the campaign as saved.
              </Text>
            ) : null}
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function FiltersCard(props: { filters: Filters; errors: Record<string, string>; options: Loaded["options"]; disabled: boolean; onChange: (patch: Partial<Filters>) => void }) {
  const { filters, errors, options, disabled, onChange } = props;
  const error = (field: keyof Filters) => errors[`filters.${field}`];
  const listed = filters.currencies
    .split(/[,\n]/)
    .map((c) => c.trim())
    .filter((c) => /^[A-Za-z]{3}$/.test(c));
  const decimals = new Set([filters.amountCurrency, ...listed].filter((c) => /^[A-Za-z]{3}$/.test(c)).map(currencyExponent));
  const hasAmounts = Boolean(filters.minAmount.trim() || filters.maxAmount.trim());
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Which failed payments
          </Text>
          <Text as="p" tone="subdued">
            Beyond its trigger, a campaign takes only the payments that pass every filter set here. Leave a filter empty to take them all.
          </Text>
        </BlockStack>
        <FormLayout>
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="300">
            <TextField
              label="Smallest amount"
              inputMode="decimal"
              autoComplete="off"
              placeholder="No minimum"
              value={filters.minAmount}
              onChange={(minAmount) => onChange({ minAmount })}
              error={error("minAmount")}
              disabled={disabled}
            />
            <TextField
              label="Largest amount"
              inputMode="decimal"
              autoComplete="off"
              placeholder="No maximum"
              value={filters.maxAmount}
              onChange={(maxAmount) => onChange({ maxAmount })}
              error={error("maxAmount")}
              disabled={disabled}
            />
            <TextField
              label="Amounts in"
              autoComplete="off"
              maxLength={3}
              value={filters.amountCurrency}
              onChange={(amountCurrency) => onChange({ amountCurrency: amountCurrency.toUpperCase() })}
              error={error("amountCurrency")}
              helpText="The currency you type amounts in"
              disabled={disabled}
            />
          </InlineGrid>
          {hasAmounts && decimals.size > 1 ? (
            <Text as="p" variant="bodySm" tone="caution">
              Amounts are compared in each payment&apos;s smallest unit, and these currencies have different decimals: the same limits mean different
              amounts in them. Give currencies with different decimals a campaign each.
            </Text>
          ) : null}
          <TextField
            label="Currencies"
            autoComplete="off"
            placeholder="Any currency"
            value={filters.currencies}
            onChange={(currencies) => onChange({ currencies })}
            error={error("currencies")}
            helpText="Three-letter codes, separated by commas: USD, EUR."
            disabled={disabled}
          />
          <ChoiceList
            allowMultiple
            title="Decline reasons"
            choices={options.categories.map((c) => ({ value: c.value, label: c.label, helpText: c.help }))}
            selected={filters.declineCategories}
            onChange={(selected) => onChange({ declineCategories: selected as Filters["declineCategories"] })}
            error={error("declineCategories")}
            disabled={disabled}
          />
          <TextField
            label="Decline codes"
            autoComplete="off"
            placeholder="Any code"
            value={filters.declineCodes}
            onChange={(declineCodes) => onChange({ declineCodes })}
            error={error("declineCodes")}
            helpText="The payment provider's codes, separated by commas: insufficient_funds, expired_card."
            disabled={disabled}
          />
          <TextField
            label="Payment providers"
            autoComplete="off"
            placeholder="Any provider"
            value={filters.psps}
            onChange={(psps) => onChange({ psps })}
            error={error("psps")}
            helpText="Separated by commas: stripe, shopify, braintree, adyen…"
            disabled={disabled}
          />
          <ChoiceList
            allowMultiple
            title="Customers"
            choices={options.segments.map((s) => ({ value: s.value, label: s.label, helpText: s.help }))}
            selected={filters.customerSegments}
            onChange={(selected) => onChange({ customerSegments: selected as Filters["customerSegments"] })}
            error={error("customerSegments")}
            disabled={disabled}
          />
          <TextField
            label="Plans"
            autoComplete="off"
            placeholder="Any plan"
            value={filters.plans}
            onChange={(plans) => onChange({ plans })}
            error={error("plans")}
            helpText="Plan or price ids, separated by commas (a Stripe price id such as price_1Pq…)."
            disabled={disabled}
          />
        </FormLayout>
      </BlockStack>
    </Card>
  );
}

function Editor(props: {
  campaign: Loaded["campaign"];
  initial: CampaignForm;
  basePath: string;
  testEmail: Loaded["testEmail"];
  readOnly: string | null;
  options: Loaded["options"];
}) {
  const { campaign, initial, basePath, testEmail, readOnly, options } = props;
  const [form, setForm] = useState<FormState>(() => stateOf(initial));
  const [saved, setSaved] = useState(() => JSON.stringify(formOfState(stateOf(initial))));
  // From the last save, simulation or the checks before them; a field's error goes when the field changes.
  const { errors, setErrors, forget } = useFieldErrors();
  const save = useFetcher<CampaignEditorAction>();
  const lifecycle = useFetcher<CampaignEditorAction>();
  const test = useFetcher<CampaignEditorAction>();
  const [confirming, setConfirming] = useState<CampaignCommand | null>(null);
  const navigate = useNavigate();
  const { toast, showToast } = useToast();
  const firstTime = useFirstTime();
  // What the browser found wrong at the last save (delays it could not read), kept for the answer.
  const checkedInBrowser = useRef<Record<string, string>>({});

  const editing = useStepsEditing(form.steps, (update) => setForm((f) => ({ ...f, steps: update(f.steps) })), forget);
  const locked = campaign?.locked ?? null;

  useCarriedToast(showToast);
  // Created from a template on the list (its action redirects here with ?created=template).
  useEffect(() => {
    if (campaign && new URLSearchParams(window.location.search).get("created") === "template") {
      showToast(`\u201c${initial.name}\u201d created as a draft. Adjust it, simulate it, then activate it.`);
      window.history.replaceState(window.history.state, "", window.location.pathname);
    }
    // Once, when the editor opens.
  }, []);

  useEffect(() => {
    const result = save.data;
    if (!result || !firstTime(result)) return;
    if (!result.ok) {
      // Every field at once: the server's checks, with the browser's own word on delays it could not read.
      setErrors({ ...result.fieldErrors, ...checkedInBrowser.current });
      showToast(Object.keys(checkedInBrowser.current).length ? "Some fields need another look." : result.message, true);
      return;
    }
    if (result.intent !== "save") return;
    if (!campaign) {
      unsaved.release();
      navigate(`${basePath}/campaigns/${result.campaign.id}`, { replace: true, state: { toast: result.toast } });
      return;
    }
    // New steps now have ids: the next save must send them, or it would replace them again.
    const next = stateOf(result.form);
    setForm(next);
    setSaved(JSON.stringify(formOfState(next)));
    showToast(result.toast);
  }, [save.data, campaign, navigate, showToast, basePath]);

  useEffect(() => {
    const result = lifecycle.data;
    if (!result || !firstTime(result)) return;
    setConfirming(null);
    if (result.ok && result.intent === "transition") showToast(result.toast);
    else if (!result.ok) showToast(result.message, true);
  }, [lifecycle.data, showToast]);

  useEffect(() => {
    const result = test.data;
    if (!result || !firstTime(result)) return;
    if (result.ok && result.intent === "test-email") showToast(result.toast);
    else if (!result.ok) showToast(result.message, true);
  }, [test.data, showToast]);

  const current = formOfState(form);
  const dirty = JSON.stringify(current) !== saved;
  const unsaved = useUnsavedChanges(dirty && !readOnly);
  const name = form.name.trim() || "Untitled campaign";

  const setField = <K extends "name" | "trigger" | "priority">(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    forget((path) => path === key);
  };
  const setFilters = (patch: Partial<Filters>) => {
    setForm((f) => ({ ...f, filters: { ...f.filters, ...patch } }));
    forget((path) => Object.keys(patch).some((field) => path === `filters.${field}`));
  };
  const fileErrors = useCallback((found: Record<string, string>) => setErrors((e) => ({ ...e, ...found })), []);

  const onSave = () => {
    // Sent even when a delay is unreadable (as -1, which the server refuses): its answer names every other field that is wrong too.
    checkedInBrowser.current = stepDelayProblems(form.steps);
    setErrors(checkedInBrowser.current);
    save.submit({ intent: "save", form: { ...current } }, { method: "post", encType: "application/json" });
  };

  const runCommand = (command: CampaignCommand) =>
    lifecycle.submit({ intent: "transition", command }, { method: "post", encType: "application/json" });

  const sendTest = () =>
    test.submit(
      { intent: "test-email", subjectTemplate: editing.current.subjectTemplate, bodyTemplate: editing.current.bodyTemplate },
      { method: "post", encType: "application/json" },
    );

  const formError = save.data && !save.data.ok && Object.keys(save.data.fieldErrors).length === 0 ? save.data.message : null;
  const lifecycleError = lifecycle.data && !lifecycle.data.ok && lifecycle.state === "idle" ? lifecycle.data.message : null;
  const busy = lifecycle.state !== "idle" ? ((lifecycle.json as { command?: CampaignCommand } | undefined)?.command ?? null) : null;
  const trigger = options.triggers.find((t) => t.value === form.trigger);
  const confirm = confirming ? CONFIRM[confirming] : undefined;

  return (
    <Page
      title={name}
      titleMetadata={
        <InlineStack gap="100">
          <CampaignStatusBadge status={campaign?.status ?? "draft"} />
          {dirty ? <Badge tone="attention">Unsaved changes</Badge> : null}
        </InlineStack>
      }
      backAction={{ content: "Campaigns", url: `${basePath}/campaigns` }}
      primaryAction={{
        content: campaign ? "Save" : "Create campaign",
        onAction: onSave,
        loading: save.state !== "idle",
        disabled: Boolean(readOnly) || Boolean(locked) || (campaign !== null && !dirty),
      }}
    >
      <Layout>
        {readOnly ? (
          <Layout.Section>
            <Banner tone="info" title="You can look at this campaign but not change it">
              <p>{readOnly}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {locked ? (
          <Layout.Section>
            <Banner tone="info" title={campaign?.status === "active" ? "Pause it to edit" : "This campaign can't be edited"}>
              <p>{locked}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {formError || lifecycleError ? (
          <Layout.Section>
            <Banner tone="critical" title={formError ? "The campaign wasn't saved" : "The status didn't change"}>
              <p>{formError ?? lifecycleError}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            {campaign ? (
              <StatusCard
                campaign={campaign}
                dirty={dirty}
                readOnly={Boolean(readOnly)}
                busy={busy}
                onCommand={(command) => (CONFIRM[command] ? setConfirming(command) : runCommand(command))}
              />
            ) : null}
            <Card>
              <FormLayout>
                <TextField label="Name" autoComplete="off" value={form.name} onChange={(v) => setField("name", v)} error={errors.name} disabled={Boolean(locked)} />
                <Select
                  label="Trigger"
                  options={options.triggers.map((t) => ({ value: t.value, label: t.label }))}
                  value={form.trigger}
                  onChange={(v) => setField("trigger", v as FormState["trigger"])}
                  error={errors.trigger}
                  helpText={trigger?.help}
                  disabled={Boolean(locked)}
                />
                <TextField
                  label="Priority"
                  type="number"
                  min={0}
                  max={10000}
                  autoComplete="off"
                  value={form.priority}
                  onChange={(v) => setField("priority", v)}
                  error={errors.priority}
                  helpText="When several active campaigns claim the same failed payment, the lowest number goes first; at equal numbers, the more specific campaign."
                  disabled={Boolean(locked)}
                />
              </FormLayout>
            </Card>
            <FiltersCard filters={form.filters} errors={errors} options={options} disabled={Boolean(locked)} onChange={setFilters} />
            <CampaignSimulation form={current} onFieldErrors={fileErrors} />
            <Box paddingInline={{ xs: "400", sm: "0" }}>
              <Text as="h2" variant="headingMd">
                Emails
              </Text>
            </Box>
            {errors.steps ? (
              <Banner tone="critical">
                <p>{errors.steps}</p>
              </Banner>
            ) : null}
            <StepCards editing={editing} errors={errors} disabled={Boolean(locked)} />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <StepPreviewAside
            editing={editing}
            basePath={basePath}
            testEmail={testEmail}
            onSendTest={sendTest}
            sendingTest={test.state !== "idle"}
            readOnly={Boolean(readOnly)}
            locked={Boolean(locked)}
          />
        </Layout.Section>
      </Layout>
      {campaign ? (
        <Modal
          open={confirm !== undefined}
          onClose={() => setConfirming(null)}
          title={confirm?.title(name) ?? ""}
          primaryAction={confirm && confirming ? { content: confirm.action, destructive: true, loading: lifecycle.state !== "idle", onAction: () => runCommand(confirming) } : undefined}
          secondaryActions={[{ content: "Cancel", onAction: () => setConfirming(null) }]}
        >
          <Modal.Section>
            <Text as="p">{confirm?.body}</Text>
          </Modal.Section>
        </Modal>
      ) : null}
      {toast}
      {unsaved.modal}
    </Page>
  );
}

export function CampaignEditor() {
  const { campaign, form, basePath, testEmail, readOnly, options } = useLoaderData<CampaignEditorLoader>();
  return <Editor key={campaign?.id ?? "new"} campaign={campaign} initial={form} basePath={basePath} testEmail={testEmail} readOnly={readOnly} options={options} />;
}

export function CampaignEditorError({ basePath }: { basePath: string }) {
  return (
    <PageError
      title="Campaigns"
      heading="The campaign could not be loaded"
      notFound={{ title: "Campaign not found", heading: "This campaign can't be opened" }}
      backAction={{ content: "Campaigns", url: `${basePath}/campaigns` }}
    />
  );
}
