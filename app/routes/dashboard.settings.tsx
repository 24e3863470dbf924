import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useFetcher, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  Divider,
  FormLayout,
  InlineStack,
  Layout,
  List,
  Modal,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState, type Dispatch, type ReactNode, type SetStateAction } from "react";
import { z } from "zod";
import { PageError } from "~/components/PageError";
import { useToast, type ShowToast } from "~/components/useToast";
import { formatDate } from "~/components/format";
import { disconnectFromDashboard, listConnectedAccounts, missingConnectSettings } from "~/domain/connect/connect.server";
import { DEFAULT_ACCENT } from "~/domain/dunning/templates";
import type { RetryPolicyPatch, SenderAndBranding } from "~/domain/settings/schemas";
import { getWorkspaceSettings, updateQuietHours, updateRetryPolicy, updateSenderAndBranding, type WorkspaceSettings } from "~/domain/settings/settings.server";
import { inviteMember, listMembers, removeMember } from "~/domain/team/team.server";
import { readJson } from "~/http/body.server";
import { actionFailure, requireDashboardSession } from "~/http/dashboard-session.server";
import { env } from "~/utils/env.server";
import type { loader as dashboardLoader } from "./dashboard";

// /dashboard/settings: retry policy, quiet hours and timezone, sender, branding, connected
// Stripe accounts and team. Each section posts its own `intent` and answers with a toast.

export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId, userId } = await requireDashboardSession(request);
  const [settings, accounts, members] = await Promise.all([getWorkspaceSettings(workspaceId), listConnectedAccounts(workspaceId), listMembers(workspaceId)]);
  // From the server's ICU, so that the list is the same on every browser (and hydrates).
  const timezones = [...new Set(["UTC", settings.timezone, ...Intl.supportedValuesOf("timeZone")])];
  return { settings, accounts, members, currentUserId: userId, stripeConfigured: missingConnectSettings().length === 0, timezones };
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("retry-policy"), patch: z.record(z.string(), z.unknown()) }),
  z.object({ intent: z.literal("quiet-hours"), quietHours: z.unknown(), timezone: z.unknown() }),
  z.object({ intent: z.literal("sender"), senderName: z.unknown(), replyTo: z.unknown() }),
  z.object({ intent: z.literal("branding"), brandColor: z.unknown(), logoUrl: z.unknown() }),
  z.object({ intent: z.literal("disconnect"), stripeAccountId: z.string() }),
  z.object({ intent: z.literal("invite"), email: z.unknown(), role: z.unknown() }),
  z.object({ intent: z.literal("remove-member"), userId: z.string(), label: z.string().optional() }),
]);

async function perform(body: z.infer<typeof ActionSchema>, session: { workspaceId: string; userId: string }): Promise<{ toast: string; settings?: WorkspaceSettings }> {
  const { workspaceId } = session;
  // The domain validates every value; the casts only hand them over.
  switch (body.intent) {
    case "retry-policy":
      return { toast: "Retry policy saved", settings: await updateRetryPolicy({ workspaceId, patch: body.patch as RetryPolicyPatch }) };
    case "quiet-hours":
      return {
        toast: "Quiet hours saved",
        settings: await updateQuietHours({ workspaceId, quietHours: body.quietHours as { start: number; end: number } | null, timezone: body.timezone as string }),
      };
    case "sender": {
      const { senderName, replyTo } = body as SenderAndBranding;
      return { toast: "Sender saved", settings: await updateSenderAndBranding({ workspaceId, senderName, replyTo }) };
    }
    case "branding": {
      const { brandColor, logoUrl } = body as SenderAndBranding;
      return { toast: "Branding saved", settings: await updateSenderAndBranding({ workspaceId, brandColor, logoUrl }) };
    }
    case "disconnect":
      await disconnectFromDashboard({ workspaceId, stripeAccountId: body.stripeAccountId });
      return { toast: `${body.stripeAccountId} disconnected. Its open recoveries are paused.` };
    case "invite": {
      const { member, emailed } = await inviteMember({ workspaceId, email: body.email as string, role: body.role as string, appUrl: env().APP_URL });
      return { toast: emailed ? `Invitation sent to ${member.email}` : `${member.email} added. Email isn't set up on this server (SMTP_URL), so no invitation was sent.` };
    }
    case "remove-member":
      await removeMember({ workspaceId, userId: body.userId, actingUserId: session.userId });
      return { toast: `${body.label ?? "Member"} removed` };
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireDashboardSession(request);
  try {
    const body = await readJson(request, ActionSchema);
    return { ok: true as const, intent: body.intent, ...(await perform(body, session)) };
  } catch (error) {
    return actionFailure(error);
  }
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type Settings = LoaderData["settings"];

const hourLabel = (h: number) => (h === 24 ? "24:00 (midnight)" : `${String(h).padStart(2, "0")}:00`);
const hourOptions = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ label: hourLabel(from + i), value: String(from + i) }));
const START_HOURS = hourOptions(0, 23);
const END_HOURS = hourOptions(1, 24);

/** A number field's value for the API: empty is null (the schema then says what to enter). */
const numberOrNull = (value: string) => (value.trim() === "" ? null : Number(value));

/**
 * One section's submissions: JSON with its intent, a toast for each answer, and `onDone` after
 * each success. A field's error shows until the field is changed (`clear`) or the next answer.
 */
function useSection(showToast: ShowToast, onDone?: (settings: Settings | undefined) => void) {
  const fetcher = useFetcher<typeof action>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const handled = useRef<object | null>(null);
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const result = fetcher.data;
    if (!result || handled.current === result) return;
    handled.current = result;
    setErrors(result.ok ? {} : result.fieldErrors);
    if (result.ok) done.current?.(result.settings);
    showToast(result.ok ? result.toast : result.message, !result.ok);
  }, [fetcher.data, showToast]);
  const { submit } = fetcher;
  return {
    submit: useCallback((body: Parameters<typeof submit>[0]) => submit(body, { method: "post", encType: "application/json" }), [submit]),
    busy: fetcher.state !== "idle",
    errors,
    /** Forgets the errors of `field` and of its parts (`preferredLocalHours.0`). */
    clear: useCallback(
      (field: string) =>
        setErrors((current) => {
          const kept = Object.entries(current).filter(([path]) => path !== field && !path.startsWith(`${field}.`));
          return kept.length === Object.keys(current).length ? current : Object.fromEntries(kept);
        }),
      [],
    ),
  };
}

/** A setter per field of a section's form that also clears the field's error. */
function useFields<F extends Record<string, unknown>>(setForm: Dispatch<SetStateAction<F>>, clear: (field: string) => void) {
  return <K extends keyof F & string>(field: K, errorField: string = field) =>
    (value: F[K]) => {
      setForm((f) => ({ ...f, [field]: value }));
      clear(errorField);
    };
}

/** A settings section: what it is about on the left (above on phones), its card on the right. */
function SettingsSection({ id, title, description, children }: { id: string; title: string; description: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <Layout>
        <Layout.Section variant="oneThird">
          {/* Polaris pages have no side padding on phones: text outside a card needs its own. */}
          <Box paddingInline={{ xs: "400", sm: "0" }} paddingBlockStart={{ xs: "0", md: "400" }}>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd" id={id}>
                {title}
              </Text>
              <Text as="p" tone="subdued">
                {description}
              </Text>
            </BlockStack>
          </Box>
        </Layout.Section>
        <Layout.Section>{children}</Layout.Section>
      </Layout>
    </section>
  );
}

function SaveButton({ busy, onClick, children = "Save" }: { busy: boolean; onClick: () => void; children?: string }) {
  return (
    <InlineStack align="end">
      <Button variant="primary" loading={busy} onClick={onClick}>
        {children}
      </Button>
    </InlineStack>
  );
}

function NetworkLimits() {
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
          <List.Item>
            <Text as="span" variant="bodySm">
              <strong>Stripe&apos;s own retries</strong>: when Stripe has scheduled an attempt (Smart Retries), Recoup never retries at the same
              time, and counts Stripe&apos;s attempts in the limits above.
            </Text>
          </List.Item>
        </List>
        <Text as="p" variant="bodySm" tone="subdued">
          The networks count every attempt on a card: Stripe&apos;s, your customer&apos;s and Recoup&apos;s.
        </Text>
      </BlockStack>
    </Box>
  );
}

function describeEffective(effective: Settings["retry"]["effective"]): string {
  const [start, end] = effective.preferredLocalHours;
  const retries = effective.maxRetries === 1 ? "1 retry" : `up to ${effective.maxRetries} retries`;
  const payday = effective.paydayAware ? ", moved to a nearby payday when money was short" : "";
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

function RetryPolicySection({ settings, showToast }: { settings: Settings; showToast: ShowToast }) {
  const [form, setForm] = useState(() => retryForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(retryForm(fresh)));
  const field = useFields(setForm, section.clear);
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
              <Select label="Retry from" options={START_HOURS} value={form.start} onChange={field("start", "preferredLocalHours")} error={hoursError} />
              <Select label="until" options={END_HOURS} value={form.end} onChange={field("end", "preferredLocalHours")} helpText="In the customer's time" />
            </FormLayout.Group>
            <Checkbox
              label="Aim for paydays"
              helpText="When a card was short of money, move the retry to a nearby 1st, 15th or last day of the month."
              checked={form.paydayAware}
              onChange={field("paydayAware")}
            />
          </FormLayout>
          <SaveButton busy={section.busy} onClick={save} />
          <NetworkLimits />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

function quietForm(settings: Settings) {
  const quiet = settings.retry.effective.quietHours;
  return { enabled: Boolean(quiet), start: String(quiet?.start ?? 21), end: String(quiet?.end ?? 8), timezone: settings.timezone };
}

function QuietHoursSection({ settings, timezones, showToast }: { settings: Settings; timezones: string[]; showToast: ShowToast }) {
  const [form, setForm] = useState(() => quietForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(quietForm(fresh)));
  const field = useFields(setForm, section.clear);
  const quietError = section.errors.quietHours ?? section.errors["quietHours.start"] ?? section.errors["quietHours.end"];
  const save = () =>
    section.submit({
      intent: "quiet-hours",
      quietHours: form.enabled ? { start: Number(form.start), end: Number(form.end) } : null,
      timezone: form.timezone,
    });
  return (
    <SettingsSection id="quiet-hours" title="Quiet hours and timezone" description="Hours in which Recoup never retries, in the customer's timezone when Stripe knows it, otherwise in yours."
    >
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            <Checkbox label="Use quiet hours" checked={form.enabled} onChange={field("enabled", "quietHours")} />
            {form.enabled ? (
              <FormLayout.Group condensed>
                <Select label="Quiet from" options={START_HOURS} value={form.start} onChange={field("start", "quietHours")} error={quietError} />
                <Select label="until" options={START_HOURS} value={form.end} onChange={field("end", "quietHours")} />
              </FormLayout.Group>
            ) : null}
            <Select
              label="Your timezone"
              options={timezones}
              value={form.timezone}
              onChange={field("timezone")}
              helpText="Also used for the dates on your dashboard."
              error={section.errors.timezone}
            />
          </FormLayout>
          <SaveButton busy={section.busy} onClick={save} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

function senderForm(settings: Settings) {
  return { senderName: settings.sender.senderName ?? "", replyTo: settings.sender.replyTo ?? "" };
}

function SenderSection({ settings, showToast }: { settings: Settings; showToast: ShowToast }) {
  const [form, setForm] = useState(() => senderForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(senderForm(fresh)));
  const field = useFields(setForm, section.clear);
  return (
    <SettingsSection id="sender" title="Sender" description="Who your customers see the emails from, and where their replies go.">
      <Card>
        <BlockStack gap="400">
          <FormLayout>
            <TextField
              label="Sender name"
              autoComplete="organization"
              value={form.senderName}
              placeholder={settings.sender.defaultName}
              onChange={field("senderName")}
              helpText={`Shown as the sender of your emails and on the payment page. Left empty: ${settings.sender.defaultName}.`}
              error={section.errors.senderName}
            />
            <TextField
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
          <SaveButton busy={section.busy} onClick={() => section.submit({ intent: "sender", ...form })} />
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

function BrandingSection({ settings, showToast }: { settings: Settings; showToast: ShowToast }) {
  const [form, setForm] = useState(() => brandingForm(settings));
  const section = useSection(showToast, (fresh) => fresh && setForm(brandingForm(fresh)));
  const field = useFields(setForm, section.clear);
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
          <SaveButton busy={section.busy} onClick={() => section.submit({ intent: "branding", ...form })} />
        </BlockStack>
      </Card>
    </SettingsSection>
  );
}

function ConfirmModal(props: {
  open: boolean;
  title: string;
  action: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      title={props.title}
      primaryAction={{ content: props.action, destructive: true, loading: props.busy, onAction: props.onConfirm }}
      secondaryActions={[{ content: "Cancel", onAction: props.onClose }]}
    >
      <Modal.Section>{props.children}</Modal.Section>
    </Modal>
  );
}

function ConnectedAccountsSection({ accounts, stripeConfigured, timeZone, showToast }: { accounts: LoaderData["accounts"]; stripeConfigured: boolean; timeZone: string; showToast: ShowToast }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const section = useSection(showToast, () => setConfirming(null));
  return (
    <SettingsSection id="connected-accounts" title="Connected accounts" description="The Stripe accounts whose failed payments Recoup recovers."
    >
      <Card>
        <BlockStack gap="400">
          {accounts.length === 0 ? (
            <Text as="p" tone="subdued">
              No Stripe account is connected. Connect one and Recoup starts with its next failed payment.
            </Text>
          ) : (
            <BlockStack gap="300">
              {accounts.map((account, i) => (
                <BlockStack key={account.stripeAccountId} gap="300">
                  {i > 0 ? <Divider /> : null}
                  <InlineStack align="space-between" blockAlign="center" gap="200">
                    <BlockStack gap="050">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" fontWeight="semibold" breakWord>
                          {account.stripeAccountId}
                        </Text>
                        {account.livemode ? <Badge tone="success">Live</Badge> : <Badge>Test mode</Badge>}
                      </InlineStack>
                      <Text as="span" variant="bodySm" tone="subdued">
                        Connected {formatDate(account.connectedAt, timeZone, false)}
                      </Text>
                    </BlockStack>
                    <Button tone="critical" onClick={() => setConfirming(account.stripeAccountId)}>
                      Disconnect
                    </Button>
                  </InlineStack>
                </BlockStack>
              ))}
            </BlockStack>
          )}
          {!stripeConfigured ? (
            <Banner tone="warning">
              <p>
                Stripe is not configured on this server: set <code>STRIPE_SECRET_KEY</code> and <code>STRIPE_CLIENT_ID</code> (see <code>.env.example</code>) and restart Recoup.
              </p>
            </Banner>
          ) : null}
          <InlineStack align="end">
            <Form method="post" action="/dashboard/connect">
              <Button submit disabled={!stripeConfigured} variant={accounts.length ? "secondary" : "primary"}>
                {accounts.length ? "Connect another account" : "Connect Stripe"}
              </Button>
            </Form>
          </InlineStack>
        </BlockStack>
      </Card>
      <ConfirmModal
        open={confirming !== null}
        title={`Disconnect ${confirming ?? ""}?`}
        action="Disconnect"
        busy={section.busy}
        onClose={() => setConfirming(null)}
        onConfirm={() => confirming && section.submit({ intent: "disconnect", stripeAccountId: confirming })}
      >
        <BlockStack gap="200">
          <Text as="p">Stripe will revoke Recoup&apos;s access to this account, and Recoup stops at once: its open recoveries are paused, so no more retries or emails go out for them.</Text>
          <Text as="p" tone="subdued">
            You can connect the account again later.
          </Text>
        </BlockStack>
      </ConfirmModal>
    </SettingsSection>
  );
}

const ROLE_LABELS: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member" };
const ROLE_OPTIONS = [
  { label: "Member", value: "member" },
  { label: "Admin", value: "admin" },
];

function TeamSection({ members, currentUserId, showToast }: { members: LoaderData["members"]; currentUserId: string; showToast: ShowToast }) {
  const [invite, setInvite] = useState({ email: "", role: "member" });
  const [removing, setRemoving] = useState<{ userId: string; label: string } | null>(null);
  const inviting = useSection(showToast, () => setInvite((i) => ({ ...i, email: "" })));
  const field = useFields(setInvite, inviting.clear);
  const remover = useSection(showToast, () => setRemoving(null));
  return (
    <SettingsSection id="team" title="Team" description="Everyone who can open this dashboard. Each signs in with a one-time link sent by email.">
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="300">
            {members.map((m, i) => {
              const label = m.email ?? m.name ?? "Unnamed member";
              const you = m.userId === currentUserId;
              return (
                <BlockStack key={m.userId} gap="300">
                  {i > 0 ? <Divider /> : null}
                  <InlineStack align="space-between" blockAlign="center" gap="200">
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold" breakWord>
                        {label}
                        {you ? " (you)" : ""}
                      </Text>
                      <InlineStack gap="100">
                        <Badge tone={m.isOwner ? "info" : undefined}>{ROLE_LABELS[m.role] ?? m.role}</Badge>
                      </InlineStack>
                    </BlockStack>
                    {!m.isOwner && !you ? (
                      <Button variant="plain" tone="critical" onClick={() => setRemoving({ userId: m.userId, label })}>
                        Remove
                      </Button>
                    ) : null}
                  </InlineStack>
                </BlockStack>
              );
            })}
          </BlockStack>
          <Divider />
          <BlockStack gap="300">
            <Text as="h3" variant="headingSm">
              Invite someone
            </Text>
            <FormLayout>
              <FormLayout.Group>
                <TextField
                  label="Email"
                  type="email"
                  autoComplete="off"
                  value={invite.email}
                  placeholder="sam@yourshop.com"
                  onChange={field("email")}
                  error={inviting.errors.email}
                />
                <Select label="Role" options={ROLE_OPTIONS} value={invite.role} onChange={field("role")} error={inviting.errors.role} />
              </FormLayout.Group>
            </FormLayout>
            <SaveButton busy={inviting.busy} onClick={() => inviting.submit({ intent: "invite", ...invite })}>
              Send invitation
            </SaveButton>
          </BlockStack>
        </BlockStack>
      </Card>
      <ConfirmModal
        open={removing !== null}
        title={`Remove ${removing?.label ?? ""}?`}
        action="Remove"
        busy={remover.busy}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remover.submit({ intent: "remove-member", userId: removing.userId, label: removing.label })}
      >
        <Text as="p">They are signed out of this dashboard at once. You can invite them again later.</Text>
      </ConfirmModal>
    </SettingsSection>
  );
}

export default function SettingsPage() {
  const { settings, accounts, members, currentUserId, stripeConfigured, timezones } = useLoaderData<typeof loader>();
  const layout = useRouteLoaderData<typeof dashboardLoader>("routes/dashboard");
  const timeZone = layout?.signedIn ? layout.workspace.timezone : "UTC";
  const { toast, showToast } = useToast();
  return (
    <Page title="Settings">
      <BlockStack gap={{ xs: "600", md: "400" }}>
        <RetryPolicySection settings={settings} showToast={showToast} />
        <QuietHoursSection settings={settings} timezones={timezones} showToast={showToast} />
        <SenderSection settings={settings} showToast={showToast} />
        <BrandingSection settings={settings} showToast={showToast} />
        <ConnectedAccountsSection accounts={accounts} stripeConfigured={stripeConfigured} timeZone={timeZone} showToast={showToast} />
        <TeamSection members={members} currentUserId={currentUserId} showToast={showToast} />
      </BlockStack>
      <Box paddingBlockEnd="1600" />
      {toast}
    </Page>
  );
}

export function ErrorBoundary() {
  return <PageError title="Settings" heading="Settings could not be loaded" />;
}
