import { BlockStack, Box, Card, Checkbox, FormLayout, List, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { ShowToast } from "~/components/useToast";
import { DEFAULT_ACCENT } from "~/utils/branding";
import { TimeZonePicker } from "./TimeZonePicker";
import { useReportDirty } from "./UnsavedChanges";
import { END_HOURS, hourLabel, numberOrNull, SaveButton, SettingsSection, START_HOURS, useFields, useSection, type Settings } from "./SettingsForm";

// The settings every home has: retry policy, quiet hours and timezone, sender, branding.

/** `stripe`: the workspace may retry alongside Stripe's own retries (not inside Shopify, where Recoup is the retrier). */
function NetworkLimits({ stripe }: { stripe: boolean }) {
  return (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          Limits Recoup always keeps
        </Text>
        <Text as="p" variant="bodySm">
          Card networks fine merchants who retry too often, so whatever you choose here, Recoup stays within their rules:
        </Text>
        <List type="bullet">
          <List.Item>
            <Text as="span" variant="bodySm">
              <strong>Visa</strong>: a card declined as lost, stolen, closed or invalid (Visa&apos;s category 1 codes) is never retried. Any other
              card is tried at most 20 times in 30 days.
            </Text>
          </List.Item>
          <List.Item>
            <Text as="span" variant="bodySm">
              <strong>Mastercard</strong>: at most 10 declines per card in 24 hours, and 35 for the same card and amount in 30 days. When
              Mastercard&apos;s advice code says &ldquo;do not try again&rdquo; or &ldquo;try later&rdquo;, Recoup stops or waits as told.
            </Text>
          </List.Item>
          {stripe ? (
            <List.Item>
              <Text as="span" variant="bodySm">
                <strong>Stripe&apos;s own retries</strong>: when Stripe has scheduled an attempt (Smart Retries), Recoup never retries at the same
                time, and counts Stripe&apos;s attempts in the limits above.
              </Text>
            </List.Item>
          ) : null}
        </List>
        <Text as="p" variant="bodySm" tone="subdued">
          {stripe
            ? "The networks count every attempt on a card: Stripe’s, your customer’s and Recoup’s."
            : "The networks count every attempt on a card: your customer’s and Recoup’s."}
        </Text>
      </BlockStack>
    </Box>
  );
}

/** A section's form differs from what is saved. */
const isDirty = (form: object, saved: object) => JSON.stringify(form) !== JSON.stringify(saved);

function describeEffective(effective: Settings["retry"]["effective"]): string {
  const [start, end] = effective.preferredLocalHours;
  const retries = effective.maxRetries === 1 ? "1 retry" : `up to ${effective.maxRetries} retries`;
  const payday = effective.paydayAware ? ", on the morning the customer’s pay is likeliest in when money was short" : "";
  return `In effect now: ${retries} within ${effective.retryWindowDays} days of the first failure, between ${hourLabel(start)} and ${hourLabel(end)} in the customer's time${payday}.`;
}

function retryForm(settings: Settings) {
  const e = settings.retry.effective;
  return {
    maxRetries: String(e.maxRetries),
    retryWindowDays: String(e.retryWindowDays),
    start: String(e.preferredLocalHours[0]),
    end: String(e.preferredLocalHours[1]),
    paydayAware: e.paydayAware,
  };
}

export function RetryPolicySection({ settings, disabled, stripe, showToast }: { settings: Settings; disabled: boolean; stripe: boolean; showToast: ShowToast }) {
  const [form, setForm] = useState(() => retryForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(retryForm(fresh)));
  const field = useFields(setForm, section.clear);
  useReportDirty("retry-policy", isDirty(form, retryForm(settings)));
  const { limits } = settings.retry;
  const hoursError = section.errors.preferredLocalHours ?? section.errors["preferredLocalHours.0"] ?? section.errors["preferredLocalHours.1"];
  const save = () =>
    section.submit({
      intent: "retry-policy",
      patch: {
        maxRetries: numberOrNull(form.maxRetries),
        retryWindowDays: numberOrNull(form.retryWindowDays),
        preferredLocalHours: [Number(form.start), Number(form.end)],
        paydayAware: form.paydayAware,
      },
    });
  return (
    <SettingsSection id="retry-policy" title="Retry policy" description="How often, for how long and at what time of day Recoup retries a failed payment.">
      <Card>
        <BlockStack gap="400">
          <Text as="p" tone="subdued">
            {describeEffective(settings.retry.effective)}
          </Text>
          <FormLayout>
            <FormLayout.Group condensed>
              <TextField
                disabled={disabled}
                label="Retries per failed payment"
                type="number"
                min={limits.maxRetries.min}
                max={limits.maxRetries.max}
                autoComplete="off"
                value={form.maxRetries}
                onChange={field("maxRetries")}
                helpText={`${limits.maxRetries.min} to ${limits.maxRetries.max}`}
                error={section.errors.maxRetries}
              />
              <TextField
                disabled={disabled}
                label="Retry for (days)"
                type="number"
                min={limits.retryWindowDays.min}
                max={limits.retryWindowDays.max}
                autoComplete="off"
                value={form.retryWindowDays}
                onChange={field("retryWindowDays")}
                helpText={`${limits.retryWindowDays.min} to ${limits.retryWindowDays.max} days`}
                error={section.errors.retryWindowDays}
              />
            </FormLayout.Group>
            <FormLayout.Group condensed>
              <Select disabled={disabled} label="Retry from" options={START_HOURS} value={form.start} onChange={field("start", "preferredLocalHours")} error={hoursError} />
              <Select disabled={disabled} label="until" options={END_HOURS} value={form.end} onChange={field("end", "preferredLocalHours")} helpText="In the customer's time" />
            </FormLayout.Group>
            <Checkbox
              disabled={disabled}
              label="Aim for paydays"
              helpText="When a card was short of money, move the retry to a nearby 1st, 15th or last day of the month."
              checked={form.paydayAware}
              onChange={field("paydayAware")}
            />
          </FormLayout>
          <SaveButton disabled={disabled} busy={section.busy} onClick={save} />
          <NetworkLimits stripe={stripe} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

function quietForm(settings: Settings) {
  const quiet = settings.retry.effective.quietHours;
  return { enabled: Boolean(quiet), start: String(quiet?.start ?? 21), end: String(quiet?.end ?? 8), timezone: settings.timezone };
}

export function QuietHoursSection(props: { settings: Settings; timezones: string[]; now: string; disabled: boolean; showToast: ShowToast }) {
  const { settings, timezones, now, disabled, showToast } = props;
  const [form, setForm] = useState(() => quietForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(quietForm(fresh)));
  const field = useFields(setForm, section.clear);
  useReportDirty("quiet-hours", isDirty(form, quietForm(settings)));
  const quietError = section.errors.quietHours ?? section.errors["quietHours.start"] ?? section.errors["quietHours.end"];
  const save = () =>
    section.submit({
      intent: "quiet-hours",
      quietHours: form.enabled ? { start: Number(form.start), end: Number(form.end) } : null,
      timezone: form.timezone,
    });
  return (
    <SettingsSection id="quiet-hours" title="Quiet hours and timezone" description="Hours in which Recoup never retries, in the customer's timezone when it is known, otherwise in yours."
    >
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            <Checkbox disabled={disabled} label="Use quiet hours" checked={form.enabled} onChange={field("enabled", "quietHours")} />
            {form.enabled ? (
              <FormLayout.Group condensed>
                <Select disabled={disabled} label="Quiet from" options={START_HOURS} value={form.start} onChange={field("start", "quietHours")} error={quietError} />
                <Select disabled={disabled} label="until" options={START_HOURS} value={form.end} onChange={field("end", "quietHours")} />
              </FormLayout.Group>
            ) : null}
            <TimeZonePicker
              disabled={disabled}
              label="Your timezone"
              zones={timezones}
              at={now}
              value={form.timezone}
              onChange={field("timezone")}
              helpText="Also used for the dates on your dashboard. Type a city, a region or an offset."
              error={section.errors.timezone}
            />
          </FormLayout>
          <SaveButton disabled={disabled} busy={section.busy} onClick={save} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

function senderForm(settings: Settings) {
  return { senderName: settings.sender.senderName ?? "", replyTo: settings.sender.replyTo ?? "" };
}

export function SenderSection({ settings, disabled, showToast }: { settings: Settings; disabled: boolean; showToast: ShowToast }) {
  const [form, setForm] = useState(() => senderForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(senderForm(fresh)));
  const field = useFields(setForm, section.clear);
  useReportDirty("sender", isDirty(form, senderForm(settings)));
  return (
    <SettingsSection id="sender" title="Sender" description="Who your customers see the emails from, and where their replies go.">
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            <TextField
              disabled={disabled}
              label="Sender name"
              autoComplete="organization"
              value={form.senderName}
              placeholder={settings.sender.defaultName}
              onChange={field("senderName")}
              helpText={`Shown as the sender of your emails and on the payment page. Left empty: ${settings.sender.defaultName}.`}
              error={section.errors.senderName}
            />
            <TextField
              disabled={disabled}
              label="Reply-to address"
              type="email"
              autoComplete="email"
              value={form.replyTo}
              placeholder="billing@yourshop.com"
              onChange={field("replyTo")}
              helpText="Customers' replies go here. Left empty, they go to the address the emails are sent from."
              error={section.errors.replyTo}
            />
          </FormLayout>
          <SaveButton disabled={disabled} busy={section.busy} onClick={() => section.submit({ intent: "sender", ...form })} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

/** WCAG contrast of white text on the colour: below 3 the button label is hard to read. */
function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (luminance + 0.05);
}

function brandingForm(settings: Settings) {
  return { brandColor: settings.branding.brandColor ?? "", logoUrl: settings.branding.logoUrl ?? "" };
}

export function BrandingSection({ settings, disabled, showToast }: { settings: Settings; disabled: boolean; showToast: ShowToast }) {
  const [form, setForm] = useState(() => brandingForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(brandingForm(fresh)));
  const field = useFields(setForm, section.clear);
  useReportDirty("branding", isDirty(form, brandingForm(settings)));
  const typed = form.brandColor.trim().toLowerCase();
  const valid = /^#[0-9a-f]{6}$/.test(typed);
  const colour = valid ? typed : typed === "" ? DEFAULT_ACCENT : null;
  const logo = /^https:\/\/\S+$/.test(form.logoUrl.trim()) ? form.logoUrl.trim() : null;
  const merchant = settings.sender.senderName || settings.sender.defaultName;
  return (
    <SettingsSection id="branding" title="Branding" description="Your logo and colour, on the dunning emails and on the page where customers update their card.">
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            <TextField
              disabled={disabled}
              label="Logo address"
              type="url"
              autoComplete="url"
              value={form.logoUrl}
              placeholder="https://yourshop.com/logo.png"
              onChange={field("logoUrl")}
              helpText="An https address of a PNG, JPG or SVG image; it is shown 40 px tall."
              error={section.errors.logoUrl}
            />
            <TextField
              disabled={disabled}
              label="Brand colour"
              autoComplete="off"
              value={form.brandColor}
              placeholder={DEFAULT_ACCENT}
              onChange={field("brandColor")}
              prefix={
                <span
                  aria-hidden
                  data-testid="brand-swatch"
                  style={{ display: "block", width: 20, height: 20, borderRadius: 4, border: "1px solid var(--p-color-border)", background: colour ?? "transparent" }}
                />
              }
              connectedRight={
                <input
                  type="color"
                  disabled={disabled}
                  aria-label="Pick the brand colour"
                  value={colour ?? DEFAULT_ACCENT}
                  onChange={(e) => field("brandColor")(e.target.value)}
                  style={{ display: "block", width: 44, height: 32, padding: 2, border: "1px solid var(--p-color-input-border)", borderRadius: 8, background: "var(--p-color-bg-surface)", cursor: "pointer" }}
                />
              }
              helpText="Buttons and highlights. Left empty: Recoup's blue."
              error={section.errors.brandColor}
            />
          </FormLayout>
          {colour && contrastWithWhite(colour) < 3 ? (
            <Text as="p" tone="caution" variant="bodySm">
              White text is hard to read on this colour: customers may struggle with the button. A darker shade works better.
            </Text>
          ) : null}
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              Preview
            </Text>
            <Box padding="400" background="bg-surface-secondary" borderRadius="200">
              <div style={{ background: "#fff", borderRadius: 8, padding: 16, maxWidth: 360 }}>
                {logo ? (
                  <img src={logo} alt={merchant} style={{ display: "block", height: 32, width: "auto", maxWidth: "60%", objectFit: "contain", marginBottom: 12 }} />
                ) : (
                  <p style={{ margin: "0 0 12px", fontSize: 13, fontWeight: 600, color: "#57606a" }}>{merchant}</p>
                )}
                <span
                  data-testid="brand-button-preview"
                  style={{ display: "inline-block", padding: "10px 16px", borderRadius: 6, background: colour ?? DEFAULT_ACCENT, color: "#fff", fontWeight: 600, fontSize: 14 }}
                >
                  Update payment details
                </span>
              </div>
            </Box>
          </BlockStack>
          <SaveButton disabled={disabled} busy={section.busy} onClick={() => section.submit({ intent: "branding", ...form })} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

/** The standing holdout (ADR 0072): a share of customers left to the platform, so the overview can say what Recoup added. */
export function HoldoutSection({ settings, disabled, showToast }: { settings: Settings; disabled: boolean; showToast: ShowToast }) {
  const [percent, setPercent] = useState(() => String(settings.holdout.percent));
  const section = useSection(showToast, (fresh) => fresh && setPercent(String(fresh.holdout.percent)));
  useReportDirty("holdout", percent !== String(settings.holdout.percent));
  const { suggestedPercent, maxPercent } = settings.holdout;
  return (
    <SettingsSection
      id="holdout"
      title="Measure what Recoup adds"
      description="Leave a small share of customers to your platform's own collection. Comparing them with the rest shows the revenue recovered because of Recoup, with its margin of error."
    >
      <Card>
        <BlockStack gap="400">
          <TextField
            disabled={disabled}
            label="Holdout share"
            type="number"
            min={0}
            max={maxPercent}
            step={0.5}
            suffix="%"
            autoComplete="off"
            value={percent}
            onChange={(value) => {
              setPercent(value);
              section.clear("percent");
            }}
            helpText={`0 turns it off (the default). ${suggestedPercent} % is enough to measure within a few months; at most ${maxPercent} %. Held-out customers get no retry and no email from Recoup.`}
            error={section.errors.percent}
          />
          <SaveButton disabled={disabled} busy={section.busy} onClick={() => section.submit({ intent: "holdout", percent: numberOrNull(percent) })} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}
