import { Link, type ShouldRevalidateFunction, useLoaderData, useLocation, useNavigation, useOutlet } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Card, EmptyState, InlineStack, Page, Text, Link as TextLink } from "@shopify/polaris";
import { useEffect } from "react";
import { PageError } from "~/components/PageError";
import { formatDate } from "~/contracts/dashboard/format";
import { useToast } from "~/components/useToast";
import type { DunningListLoader } from "~/contracts/dashboard/dunning-pages.server";

// <base>/dunning: the workspace's email sequences, in every home of the merchant UI. The editor
// (<base>/dunning/:id) is a child route and takes the whole page when open.

/** The editor's previews and test emails change no sequence. */
export function dunningListShouldRevalidate(basePath: string): ShouldRevalidateFunction {
  return ({ formAction, json, defaultShouldRevalidate }) => {
    if (formAction === `${basePath}/dunning/preview`) return false;
    if ((json as { intent?: unknown } | undefined)?.intent === "test-email") return false;
    return defaultShouldRevalidate;
  };
}

// An envelope, drawn here: no image host is reachable from every install.
const ILLUSTRATION =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="43" y="35" width="140" height="92" rx="10" fill="#e3e8ee"/><path d="M47 42l66 48 66-48" fill="none" stroke="#c1c9d2" stroke-width="6" stroke-linejoin="round"/><circle cx="172" cy="118" r="24" fill="#1a56db"/><path d="M162 118h20M172 108v20" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>`,
  );

type Sequence = Awaited<ReturnType<DunningListLoader>>["sequences"][number];

/** Active (new failed payments get it), enabled, or off: in the list and on the editor's title. */
export function SequenceBadge({ isActive, isEnabled }: { isActive: boolean; isEnabled: boolean }) {
  if (isActive) return <Badge tone="success">Active</Badge>;
  if (isEnabled) return <Badge tone="info">Enabled</Badge>;
  return <Badge>Off</Badge>;
}

function SequenceList({ sequences, timeZone, loading, basePath }: { sequences: Sequence[]; timeZone: string; loading: boolean; basePath: string }) {
  if (sequences.length === 0) {
    return (
      <Card>
        <EmptyState heading="No email sequences yet" action={{ content: "New sequence", url: `${basePath}/dunning/new` }} image={ILLUSTRATION}>
          <p>A sequence is the series of emails a customer gets after a failed payment, each with a link to update their card.</p>
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card padding="0">
      <div style={{ opacity: loading ? 0.6 : 1 }}>
        <ul aria-label="Sequences" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {sequences.map((sequence, i) => (
            <li key={sequence.id} style={{ borderTop: i > 0 ? "1px solid var(--p-color-border-secondary)" : "none" }}>
              <Link to={`${basePath}/dunning/${sequence.id}`} style={{ display: "block", color: "inherit", textDecoration: "none" }}>
                <Box padding="400">
                  <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
                    <BlockStack gap="100">
                      <Text as="h3" variant="bodyMd" fontWeight="semibold" breakWord>
                        {sequence.name}
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        {sequence.stepCount === 1 ? "1 email" : `${sequence.stepCount} emails`} · saved {formatDate(sequence.updatedAt, timeZone, false)}
                      </Text>
                    </BlockStack>
                    <SequenceBadge isActive={sequence.isActive} isEnabled={sequence.isEnabled} />
                  </InlineStack>
                </Box>
              </Link>
            </li>
          ))}
        </ul>
      </div>
    </Card>
  );
}

export function DunningSequenceList() {
  const outlet = useOutlet();
  const { sequences, timeZone, basePath } = useLoaderData<DunningListLoader>();
  const navigation = useNavigation();
  const location = useLocation();
  const { toast, showToast } = useToast();
  const loading = navigation.state === "loading" && navigation.location.pathname === `${basePath}/dunning`;

  // What the editor did before it sent the merchant back here (a sequence deleted).
  const carried = outlet ? undefined : (location.state as { toast?: string } | null)?.toast;
  useEffect(() => {
    if (carried) showToast(carried);
  }, [carried, showToast]);

  if (outlet) return outlet;

  return (
    <Page title="Dunning" primaryAction={{ content: "New sequence", url: `${basePath}/dunning/new` }}>
      <BlockStack gap="400">
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Text as="p" tone="subdued">
            New failed payments follow the <strong>active</strong> sequence: the enabled one saved most recently. A recovery that has started
            keeps the sequence it started with. <TextLink url={`${basePath}/settings`}>Sender and branding</TextLink> are in Settings.
          </Text>
        </Box>
        {sequences.length > 0 && !sequences.some((s) => s.isActive) ? (
          <Banner tone="warning" title="No sequence is enabled">
            <p>Customers get no emails about failed payments until you enable a sequence. Retries still happen.</p>
          </Banner>
        ) : null}
        <SequenceList sequences={sequences} timeZone={timeZone} loading={loading} basePath={basePath} />
      </BlockStack>
      {toast}
    </Page>
  );
}

export function DunningListError() {
  return <PageError title="Dunning" heading="Your sequences could not be loaded" />;
}
