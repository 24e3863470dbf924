import { Form, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { Fact, FactsCard } from "./Fact";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  Icon,
  InlineStack,
  Layout,
  Link,
  Page,
  Spinner,
  Text,
} from "@shopify/polaris";
import { useEffect, useState, type SVGProps } from "react";
import { PageError } from "~/components/PageError";
import { PaymentsRecoveryLink } from "~/components/PaymentsRecoveryLink";
import { useToast } from "~/components/useToast";
import { STATUS_LABELS, StatusBadge } from "~/components/RecoveriesTable";
import { formatDate } from "~/contracts/dashboard/format";
import { formatMoney } from "~/utils/money";
import { RECOVERY_INTENTS, RECOVERY_NOT_FOUND } from "~/contracts/dashboard/pages";
import type { RecoveryActionResult, RecoveryDetailData } from "~/contracts/dashboard/recovery-detail.server";
import type { RecoveryPayLinkPanel } from "~/contracts/dashboard/payments-pages.server";

// One recovery: what happened (oldest first), what happens next, and the merchant's buttons.

type Intent = (typeof RECOVERY_INTENTS)[number];
const isIntent = (v: unknown): v is Intent => typeof v === "string" && (RECOVERY_INTENTS as readonly string[]).includes(v);

// ---- icons (20×20, drawn in currentColor so that Polaris' Icon tones apply) ----

type Svg = (props: SVGProps<SVGSVGElement>) => JSX.Element;
const svg =
  (...paths: string[]): Svg =>
  (props) => (
    <svg viewBox="0 0 20 20" {...props}>
      {paths.map((d) => (
        <path key={d} d={d} fillRule="evenodd" />
      ))}
    </svg>
  );
const DeclineIcon = svg("M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm-.75 4.5a.75.75 0 0 1 1.5 0v4a.75.75 0 0 1-1.5 0v-4Zm.75 7.75a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z");
const RetryIcon = svg(
  "M10 4.5a5.5 5.5 0 0 0-5.2 3.7.75.75 0 1 1-1.42-.5A7 7 0 0 1 15.5 5.4V4a.75.75 0 0 1 1.5 0v3.25a.75.75 0 0 1-.75.75H13a.75.75 0 0 1 0-1.5h1.6A5.5 5.5 0 0 0 10 4.5Zm6.14 6.84a.75.75 0 0 1 .48.95A7 7 0 0 1 4.5 14.6V16a.75.75 0 0 1-1.5 0v-3.25a.75.75 0 0 1 .75-.75H7a.75.75 0 0 1 0 1.5H5.4a5.5 5.5 0 0 0 9.8-1.7.75.75 0 0 1 .94-.46Z",
);
const EmailIcon = svg(
  "M3 6.25A2.25 2.25 0 0 1 5.25 4h9.5A2.25 2.25 0 0 1 17 6.25v7.5A2.25 2.25 0 0 1 14.75 16h-9.5A2.25 2.25 0 0 1 3 13.75v-7.5Zm1.6-.42 5.4 3.86 5.4-3.86a.75.75 0 0 0-.65-.33h-9.5a.75.75 0 0 0-.65.33Zm10.9 1.8-5.06 3.62a.75.75 0 0 1-.88 0L4.5 7.63v6.12c0 .41.34.75.75.75h9.5c.41 0 .75-.34.75-.75V7.63Z",
);
const PaidIcon = svg("M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm3.53 5.97a.75.75 0 0 1 0 1.06l-4 4a.75.75 0 0 1-1.06 0l-2-2a.75.75 0 1 1 1.06-1.06l1.47 1.47 3.47-3.47a.75.75 0 0 1 1.06 0Z");
const OutcomeIcon = svg("M4.75 2a.75.75 0 0 1 .75.75V3h9.25a.75.75 0 0 1 .6 1.2L13.19 7.5l2.16 3.3a.75.75 0 0 1-.6 1.2H5.5v5.25a.75.75 0 0 1-1.5 0V2.75A.75.75 0 0 1 4.75 2Zm.75 8.5h7.83l-1.67-2.59a.75.75 0 0 1 0-.82L13.33 4.5H5.5v6Z");

// ---- the timeline, in the merchant's words ----

type Entry = RecoveryDetailData["entries"][number];
type Tone = "success" | "critical" | "attention" | "info" | undefined;

type PlatformName = RecoveryDetailData["platform"]["name"];
const sourceName = (source: string, platform: PlatformName) =>
  source === "platform" ? platform : source === "recoup" ? "Recoup" : source === "customer" ? "The customer" : "A";
const EMAIL_KINDS: Record<string, string> = {
  sequence: "Reminder email",
  card_update_request: "Card update request",
  authentication_request: "Payment confirmation request",
};
const EMAIL_STATUS: Record<string, { label: string; tone: Tone }> = {
  scheduled: { label: "Queued", tone: "info" },
  sending: { label: "Sending", tone: "info" },
  // Handed to the mail server by a send that was cut off before its answer: not sent again (ADR 0058).
  delivery_unknown: { label: "Sent, not confirmed", tone: "attention" },
  sent: { label: "Sent", tone: undefined },
  opened: { label: "Sent", tone: undefined },
  clicked: { label: "Sent", tone: undefined },
  converted: { label: "Led to payment", tone: "success" },
  failed: { label: "Not delivered", tone: "critical" },
  skipped: { label: "Not sent", tone: undefined },
};
const OUTCOMES: Record<string, string> = { recovered: "Recovered", failed: "Closed as failed", abandoned: "Closed" };
const OUTCOME_REASONS: Record<string, string> = {
  schedule_exhausted: "Every retry and reminder was used up without a payment.",
  invoice_void: "The invoice was voided in Stripe.",
  invoice_uncollectible: "The invoice was marked uncollectible in Stripe.",
  subscription_canceled: "The subscription was cancelled.",
  contract_cancelled: "The subscription contract was cancelled in Shopify.",
  contract_expired: "The subscription contract expired in Shopify.",
  contract_failed: "Shopify marked the subscription contract as failed.",
  contract_terminated: "Shopify refused the retry: the subscription contract has ended.",
  contract_not_found: "The subscription contract no longer exists in Shopify.",
};

function outcomeReason(code: string, platform: PlatformName): string {
  if (code === "invoice_paid") return platform === "Shopify" ? "The billing cycle was paid in Shopify." : "The invoice was paid.";
  return OUTCOME_REASONS[code] ?? `Reason: ${code.replace(/_/g, " ")}.`;
}

function describeEntry(entry: Entry, timeZone: string, platform: PlatformName): { icon: Svg; tone: "critical" | "success" | "info" | "subdued"; title: string; lines: string[]; badges: Array<{ label: string; tone: Tone }> } {
  switch (entry.kind) {
    case "failure": {
      const inWords = "inWords" in entry ? entry.inWords : null;
      // The platform's attempts are numbered from its original charge (#1); Recoup's own retries from 1.
      const attempt =
        entry.source === "platform"
          ? entry.attemptNumber <= 1
            ? `${platform}'s original charge`
            : `${platform}'s own retry #${entry.attemptNumber - 1}`
          : entry.source === "customer"
            ? "The customer's payment"
            : `${sourceName(entry.source, platform)} retry #${entry.attemptNumber}`;
      if (entry.status === "pending") return { icon: RetryIcon, tone: "info", title: `${attempt} under way`, lines: [], badges: [] };
      if (entry.status === "error") {
        return { icon: RetryIcon, tone: "critical", title: `${attempt} could not be made`, lines: [entry.message ?? `${platform} did not accept the charge request.`], badges: [] };
      }
      const title = entry.source === "platform" && entry.attemptNumber <= 1 ? `${attempt} failed` : `${attempt} was declined`;
      return { icon: entry.source === "recoup" ? RetryIcon : DeclineIcon, tone: "critical", title, lines: [inWords ?? "The bank declined the payment."], badges: entry.declineCode ? [{ label: entry.declineCode, tone: undefined }] : [] };
    }
    case "email": {
      const status = EMAIL_STATUS[entry.status] ?? { label: entry.status, tone: undefined };
      const badges: Array<{ label: string; tone: Tone }> = [status];
      if (entry.openedAt) badges.push({ label: `Opened ${formatDate(entry.openedAt, timeZone)}`, tone: "info" });
      if (entry.clickedAt) badges.push({ label: `Clicked ${formatDate(entry.clickedAt, timeZone)}`, tone: "success" });
      return { icon: EmailIcon, tone: "info", title: EMAIL_KINDS[entry.emailKind] ?? "Email", lines: [`“${entry.subject}”`], badges };
    }
    case "charge_succeeded":
      return {
        icon: PaidIcon,
        tone: "success",
        title: entry.source === "recoup" ? `Recoup retry #${entry.attemptNumber} succeeded` : "Payment succeeded",
        lines: [],
        badges: [],
      };
    case "outcome":
      return {
        icon: OutcomeIcon,
        tone: entry.outcome === "recovered" ? "success" : "subdued",
        title: OUTCOMES[entry.outcome] ?? entry.outcome,
        lines: [entry.reasonCode ? outcomeReason(entry.reasonCode, platform) : ""].filter(Boolean),
        badges: [],
      };
  }
}

function Timeline({ entries, timeZone, platform }: { entries: Entry[]; timeZone: string; platform: PlatformName }) {
  if (entries.length === 0) {
    return (
      <Text as="p" tone="subdued">
        Nothing has happened yet: the failed payment is being looked at.
      </Text>
    );
  }
  return (
    <ol aria-label="Timeline" style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {entries.map((entry, i) => {
        const d = describeEntry(entry, timeZone, platform);
        const last = i === entries.length - 1;
        return (
          <li key={`${entry.kind}-${entry.at}-${i}`} data-entry-kind={entry.kind} style={{ display: "flex", gap: 12 }}>
            <div style={{ display: "flex", flexDirection: "column", alignItems: "center" }}>
              <div style={{ width: 28, height: 28, borderRadius: 14, display: "grid", placeItems: "center", background: "var(--p-color-bg-surface-secondary)" }}>
                <Icon source={d.icon} tone={d.tone} />
              </div>
              {last ? null : <div style={{ flex: 1, width: 2, background: "var(--p-color-border-secondary)", margin: "4px 0" }} />}
            </div>
            <div style={{ flex: 1, minWidth: 0, paddingBottom: last ? 0 : 16 }}>
              <BlockStack gap="100">
                <InlineStack align="space-between" gap="200" wrap>
                  <Text as="h3" variant="headingSm">
                    {d.title}
                  </Text>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {formatDate(entry.at, timeZone)}
                  </Text>
                </InlineStack>
                {d.lines.map((line) => (
                  <Text key={line} as="p" tone="subdued" breakWord>
                    {line}
                  </Text>
                ))}
                {d.badges.length ? (
                  <InlineStack gap="100" wrap>
                    {d.badges.map((b) => (
                      <Badge key={b.label} tone={b.tone}>
                        {b.label}
                      </Badge>
                    ))}
                  </InlineStack>
                ) : null}
              </BlockStack>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

// ---- the page ----

/** One button, one form: works before hydration too. */
function ActionButton({ intent, children, busy, disabled, primary }: { intent: Intent; children: string; busy: Intent | null; disabled?: boolean; primary?: boolean }) {
  return (
    <Form method="post" replace preventScrollReset>
      <input type="hidden" name="intent" value={intent} />
      <Button submit variant={primary ? "primary" : undefined} loading={busy === intent} disabled={disabled || (busy !== null && busy !== intent)}>
        {children}
      </Button>
    </Form>
  );
}

/** A recovery's page, the same in the standalone dashboard and inside the Shopify admin. */
export function RecoveryDetailView() {
  // The standalone dashboard adds a pay-link card for open recoveries (null when closed); the Shopify admin's page has none.
  const recovery = useLoaderData<RecoveryDetailData & { payLink?: RecoveryPayLinkPanel | null; customerPageUrl?: string | null }>();
  const result = useActionData<RecoveryActionResult>();
  const { timeZone, basePath } = recovery;
  const navigation = useNavigation();
  const submitted = navigation.formData?.get("intent");
  const busy = navigation.state !== "idle" && isIntent(submitted) ? submitted : null;
  const refreshing = navigation.state === "loading" && !busy && navigation.location?.pathname === `${basePath}/recoveries/${recovery.attempt.id}`;

  const { toast, showToast } = useToast();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!result) return;
    if (result.ok) {
      showToast(result.message);
      setError(null);
    } else {
      setError(result.error);
    }
  }, [result]);

  const { attempt, customer, card, nextAction, paused, platform } = recovery;
  const open = attempt.status === "pending";
  const amount = formatMoney(attempt.amountDueCents, attempt.currency);

  return (
    <Page
      backAction={{ content: "Overview", url: basePath }}
      title={amount}
      titleMetadata={
        <InlineStack gap="100">
          <StatusBadge status={attempt.status} />
          {open && paused ? <Badge tone="warning">Paused</Badge> : null}
          {refreshing ? <Spinner size="small" accessibilityLabel="Updating" /> : null}
        </InlineStack>
      }
      subtitle={platform.subtitle}
    >
      <BlockStack gap="400">
        {error ? (
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <Banner tone="critical" title="That didn't work" onDismiss={() => setError(null)}>
              <p>{error}</p>
            </Banner>
          </Box>
        ) : null}
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    What happens next
                  </Text>
                  {open && paused ? (
                    <Text as="p">Paused: no retries and no emails until you resume this recovery.</Text>
                  ) : open && nextAction ? (
                    <BlockStack gap="100">
                      {nextAction.at ? (
                        <Text as="p" fontWeight="semibold">
                          {formatDate(nextAction.at, timeZone)}
                        </Text>
                      ) : null}
                      <Text as="p">{nextAction.reason ?? "Recoup is waiting for the next event from the payment platform."}</Text>
                    </BlockStack>
                  ) : (
                    <Text as="p" tone="subdued">
                      Nothing: this recovery closed as {STATUS_LABELS[attempt.status].label.toLowerCase()}
                      {attempt.endedAt ? ` on ${formatDate(attempt.endedAt, timeZone)}` : ""}.
                      {attempt.status === "recovered" || !attempt.nextActionReason ? "" : ` ${attempt.nextActionReason}`}
                    </Text>
                  )}
                  {open ? (
                    <>
                      <Divider />
                      <InlineStack gap="200" wrap>
                        <ActionButton intent="retry" busy={busy} primary>
                          Retry now
                        </ActionButton>
                        {paused ? (
                          <ActionButton intent="resume" busy={busy}>
                            Resume
                          </ActionButton>
                        ) : (
                          <ActionButton intent="pause" busy={busy}>
                            Pause
                          </ActionButton>
                        )}
                        <ActionButton intent="send_link" busy={busy} disabled={paused || !customer?.email}>
                          Send update link now
                        </ActionButton>
                      </InlineStack>
                    </>
                  ) : null}
                </BlockStack>
              </Card>
              {recovery.payLink ? <PaymentsRecoveryLink panel={recovery.payLink} onToast={showToast} /> : null}
              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Timeline
                  </Text>
                  <Timeline entries={recovery.entries} timeZone={timeZone} platform={recovery.platform.name} />
                </BlockStack>
              </Card>
            </BlockStack>
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <FactsCard>
              <Fact label="Customer">
                <BlockStack gap="0">
                  {customer?.name ? <Text as="span">{customer.name}</Text> : null}
                  {customer?.email ? <Text as="span">{customer.email}</Text> : <Text as="span" tone="subdued">No email address on file</Text>}
                  {recovery.customerPageUrl ? <Link url={recovery.customerPageUrl}>Customer&apos;s page</Link> : null}
                  {platform.customer.url ? (
                    <Link url={platform.customer.url} target="_blank">
                      {platform.customer.text}
                    </Link>
                  ) : (
                    <Text as="span" variant="bodySm" tone="subdued">
                      {platform.customer.text}
                    </Text>
                  )}
                </BlockStack>
              </Fact>
              <Fact label="Card">
                <Text as="span">{card ? `${(card.brand ?? "Card").replace(/^./, (c) => c.toUpperCase())} •••• ${card.last4}` : "Unknown"}</Text>
              </Fact>
              <Fact label="Decline">
                <BlockStack gap="050">
                  <Text as="span">{recovery.decline ?? "No reason given by the bank."}</Text>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {attempt.declineType === "hard" ? "Hard decline: the customer has to act" : "Soft decline: a retry can succeed"}
                  </Text>
                </BlockStack>
              </Fact>
              <Fact label={platform.debt.label}>
                {platform.name === "Stripe" && platform.debt.url ? (
                  <Link url={platform.debt.url} target="_blank">
                    {platform.debt.text}
                  </Link>
                ) : (
                  <BlockStack gap="050">
                    <Text as="span">{platform.debt.text}</Text>
                    {platform.debt.url ? (
                      <Link url={platform.debt.url} target="_blank">
                        {platform.debt.urlText}
                      </Link>
                    ) : null}
                  </BlockStack>
                )}
              </Fact>
              <Fact label="Started">
                <Text as="span">{formatDate(attempt.startedAt, timeZone)}</Text>
              </Fact>
            </FactsCard>
          </Layout.Section>
        </Layout>
      </BlockStack>
      {toast}
    </Page>
  );
}

/** The error page of a recovery's page; `basePath` leads back to its overview. */
export function RecoveryDetailError({ basePath }: { basePath: string }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page backAction={{ content: "Overview", url: basePath }} title="Recovery not found">
        <Card>
          <BlockStack gap="300" inlineAlign="start">
            <Text as="p">{typeof error.data === "string" ? error.data : RECOVERY_NOT_FOUND}</Text>
            <Button url={basePath}>Back to the overview</Button>
          </BlockStack>
        </Card>
      </Page>
    );
  }
  return <PageError title="Recovery" heading="This recovery could not be loaded" backAction={{ content: "Overview", url: basePath }} />;
}
