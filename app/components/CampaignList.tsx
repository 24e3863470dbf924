import { Form, useFetcher, useLoaderData, useLocation, useNavigate, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Link,
  Modal,
  Page,
  Pagination,
  Tabs,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { PageError } from "~/components/PageError";
import { useHydratedBreakpoints } from "~/components/useHydratedBreakpoints";
import { useToast } from "~/components/useToast";
import { formatRate } from "~/contracts/dashboard/format";
import type { CampaignListAction, CampaignListLoader, CampaignTab } from "~/contracts/dashboard/campaign-pages.server";
import type { CampaignStatus } from "~/domain/campaigns/model";

// <base>/campaigns: the workspace's campaigns with their status, trigger, precedence and results;
// filtered by status and name, a page at a time; new ones blank or from a template.

type Loaded = Awaited<ReturnType<CampaignListLoader>>;
type Row = Loaded["campaigns"][number];

const STATUS_BADGES: Record<CampaignStatus, { label: string; tone?: "success" | "warning" | "info" | "read-only" }> = {
  draft: { label: "Draft" },
  active: { label: "Active", tone: "success" },
  paused: { label: "Paused", tone: "warning" },
  completed: { label: "Completed", tone: "info" },
  archived: { label: "Archived", tone: "read-only" },
};

/** A campaign's status, in the list and on the editor's title. */
export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  const { label, tone } = STATUS_BADGES[status];
  return <Badge tone={tone}>{label}</Badge>;
}

const TABS: Array<{ tab: CampaignTab; content: string }> = [
  { tab: "current", content: "Current" },
  { tab: "active", content: "Active" },
  { tab: "draft", content: "Draft" },
  { tab: "paused", content: "Paused" },
  { tab: "completed", content: "Completed" },
  { tab: "archived", content: "Archived" },
];

// A megaphone, drawn here: no image host is reachable from every install.
const ILLUSTRATION =
  "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><path d="M60 70h20l60-30v80l-60-30H60z" fill="#e3e8ee" stroke="#c1c9d2" stroke-width="4" stroke-linejoin="round"/><path d="M72 100l8 28h14l-6-28" fill="#c1c9d2"/><circle cx="172" cy="118" r="24" fill="#1a56db"/><path d="M162 118h20M172 108v20" stroke="#fff" stroke-width="5" stroke-linecap="round"/></svg>`,
  );

function urlOf(basePath: string, query: { status: CampaignTab; q: string; page?: number }): string {
  const params = new URLSearchParams();
  if (query.status !== "current") params.set("status", query.status);
  if (query.q) params.set("q", query.q);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  const search = params.toString();
  return `${basePath}/campaigns${search ? `?${search}` : ""}`;
}

function emails(count: number): string {
  return count === 1 ? "1 email" : `${count} emails`;
}

function Results({ results }: { results: Row["results"] }) {
  return (
    <Text as="span" variant="bodySm" tone="subdued">
      {results.enrolled} enrolled · {results.recovered} recovered · {formatRate(results.recoveryRate)}
    </Text>
  );
}

function CampaignRows({ campaigns, basePath, loading }: { campaigns: Row[]; basePath: string; loading: boolean }) {
  const { smDown } = useHydratedBreakpoints();
  const link = (c: Row, text: string) => (
    <Link url={`${basePath}/campaigns/${c.id}`} monochrome removeUnderline dataPrimaryLink>
      {text}
    </Link>
  );
  const rows = campaigns.map((c, index) =>
    smDown ? (
      <IndexTable.Row id={c.id} key={c.id} position={index}>
        <div style={{ padding: "12px 16px", width: "100%" }}>
          <BlockStack gap="100">
            <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
              <Text as="span" fontWeight="semibold" breakWord>
                {link(c, c.name)}
              </Text>
              <CampaignStatusBadge status={c.status} />
            </InlineStack>
            <Text as="span" variant="bodySm" breakWord>
              {c.trigger} · priority {c.priority} · {emails(c.totalSteps)}
            </Text>
            <Results results={c.results} />
          </BlockStack>
        </div>
      </IndexTable.Row>
    ) : (
      <IndexTable.Row id={c.id} key={c.id} position={index}>
        <IndexTable.Cell>
          <div style={{ whiteSpace: "normal", minWidth: 160, maxWidth: 280 }}>
            <Text as="span" fontWeight="semibold" breakWord>
              {link(c, c.name)}
            </Text>
          </div>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <CampaignStatusBadge status={c.status} />
        </IndexTable.Cell>
        <IndexTable.Cell>{c.trigger}</IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {c.priority}
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {c.totalSteps}
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {c.results.enrolled}
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {c.results.recovered}
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {formatRate(c.results.recoveryRate)}
          </Text>
        </IndexTable.Cell>
      </IndexTable.Row>
    ),
  );
  return (
    <IndexTable
      condensed={smDown}
      resourceName={{ singular: "campaign", plural: "campaigns" }}
      itemCount={campaigns.length}
      selectable={false}
      loading={loading}
      headings={[
        { title: "Campaign" },
        { title: "Status" },
        { title: "Trigger" },
        { title: "Priority", alignment: "end" },
        { title: "Emails", alignment: "end" },
        { title: "Enrolled", alignment: "end" },
        { title: "Recovered", alignment: "end" },
        { title: "Recovery rate", alignment: "end" },
      ]}
    >
      {rows}
    </IndexTable>
  );
}

function TemplatePicker(props: { open: boolean; onClose: () => void; templates: Loaded["templates"]; readOnly: string | null; basePath: string }) {
  const { open, onClose, templates, readOnly } = props;
  const fetcher = useFetcher<CampaignListAction>();
  const [chosen, setChosen] = useState<string | null>(null);
  const result = fetcher.data;

  // Success is a redirect to the new draft's editor (the router follows it); only a refusal comes back here.
  const error = result && !result.ok && fetcher.state === "idle" ? result.message : null;
  return (
    <Modal open={open} onClose={onClose} title="Start from a template" secondaryActions={[{ content: "Cancel", onAction: onClose }]}>
      {readOnly || error ? (
        <Modal.Section>
          <Banner tone={readOnly ? "info" : "critical"}>
            <p>{readOnly ?? error}</p>
          </Banner>
        </Modal.Section>
      ) : null}
      {templates.map((t) => (
        <Modal.Section key={t.id}>
          <BlockStack gap="200">
            <InlineStack align="space-between" blockAlign="start" gap="200">
              <BlockStack gap="100">
                <Text as="h3" variant="headingSm">
                  {t.name}
                </Text>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t.trigger} · {emails(t.totalSteps)}
                </Text>
              </BlockStack>
              <Button
                onClick={() => {
                  setChosen(t.id);
                  fetcher.submit({ intent: "from-template", templateId: t.id }, { method: "post", encType: "application/json" });
                }}
                loading={fetcher.state !== "idle" && chosen === t.id}
                disabled={Boolean(readOnly) || (fetcher.state !== "idle" && chosen !== t.id)}
                accessibilityLabel={`Use the template ${t.name}`}
              >
                Use template
              </Button>
            </InlineStack>
            <Text as="p">{t.description}</Text>
          </BlockStack>
        </Modal.Section>
      ))}
    </Modal>
  );
}

export function CampaignList() {
  const loaded = useLoaderData<CampaignListLoader>();
  const { campaigns, tab, search, page, totalPages, total, templates, readOnly, basePath } = loaded;
  const navigation = useNavigation();
  const navigate = useNavigate();
  const location = useLocation();
  const { toast, showToast } = useToast();
  const [query, setQuery] = useState(search);
  const [picking, setPicking] = useState(false);
  const loading = navigation.state === "loading" && navigation.location.pathname === `${basePath}/campaigns`;
  const selected = Math.max(0, TABS.findIndex((t) => t.tab === tab));
  const filtered = tab !== "current" || search !== "";

  useEffect(() => setQuery(search), [search]);

  // What the editor did before it sent the merchant back here.
  const carried = (location.state as { toast?: string } | null)?.toast;
  useEffect(() => {
    if (carried) showToast(carried);
  }, [carried, showToast]);

  return (
    <Page
      title="Campaigns"
      primaryAction={{ content: "New campaign", url: `${basePath}/campaigns/new` }}
      secondaryActions={[{ content: "Start from a template", onAction: () => setPicking(true) }]}
    >
      <BlockStack gap="400">
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Text as="p" tone="subdued">
            Each new failed payment joins the first <strong>active</strong> campaign that claims it: the lowest priority number first, then the
            more specific one. A campaign&apos;s emails are edited as in <Link url={`${basePath}/dunning`}>Dunning</Link>, with the same preview.
          </Text>
        </Box>
        {total === 0 && !filtered ? (
          <Card>
            <EmptyState
              heading="No campaigns yet"
              action={{ content: "New campaign", url: `${basePath}/campaigns/new` }}
              secondaryAction={{ content: "Start from a template", onAction: () => setPicking(true) }}
              image={ILLUSTRATION}
            >
              <p>A campaign is a series of emails for the failed payments it claims: all of them, or only some (expired cards, large amounts…).</p>
            </EmptyState>
          </Card>
        ) : (
          <Card padding="0">
            <Tabs
              tabs={TABS.map((t, i) => ({ id: `campaigns-${t.tab}`, content: t.content, panelID: i === selected ? "campaigns" : undefined }))}
              selected={selected}
              onSelect={(i) => navigate(urlOf(basePath, { status: TABS[i]?.tab ?? "current", q: search }))}
            />
            <Box padding="300">
              <Form method="get" action={`${basePath}/campaigns`} role="search">
                {tab !== "current" ? <input type="hidden" name="status" value={tab} /> : null}
                <InlineStack gap="200" blockAlign="end" wrap={false}>
                  <div style={{ flex: 1, minWidth: 0 }}>
                    <TextField
                      label="Search by name"
                      labelHidden
                      placeholder="Search by name"
                      name="q"
                      autoComplete="off"
                      value={query}
                      onChange={setQuery}
                      clearButton
                      onClearButtonClick={() => {
                        setQuery("");
                        navigate(urlOf(basePath, { status: tab, q: "" }));
                      }}
                    />
                  </div>
                  <Button submit>Search</Button>
                </InlineStack>
              </Form>
            </Box>
            <div id="campaigns">
              {campaigns.length ? (
                <CampaignRows campaigns={campaigns} basePath={basePath} loading={loading} />
              ) : (
                <Box padding="600">
                  <BlockStack gap="200" inlineAlign="center">
                    <Text as="p" variant="headingSm">
                      No campaigns here
                    </Text>
                    <Text as="p" tone="subdued" alignment="center">
                      {search ? `No ${tab === "current" ? "" : `${TABS[selected]!.content.toLowerCase()} `}campaign has \u201c${search}\u201d in its name.` : "No campaign has this status."}
                    </Text>
                    <Button url={urlOf(basePath, { status: "current", q: "" })}>Show current campaigns</Button>
                  </BlockStack>
                </Box>
              )}
            </div>
            {totalPages > 1 ? (
              <Box padding="300" borderBlockStartWidth="025" borderColor="border">
                <InlineStack align="center">
                  <Pagination
                    hasPrevious={page > 1}
                    previousURL={urlOf(basePath, { status: tab, q: search, page: page - 1 })}
                    hasNext={page < totalPages}
                    nextURL={urlOf(basePath, { status: tab, q: search, page: page + 1 })}
                    label={`Page ${page} of ${totalPages}`}
                  />
                </InlineStack>
              </Box>
            ) : null}
          </Card>
        )}
        {tab === "current" ? (
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <Text as="p" variant="bodySm" tone="subdued">
              Archived campaigns are under <Link url={urlOf(basePath, { status: "archived", q: "" })}>Archived</Link>.
            </Text>
          </Box>
        ) : null}
      </BlockStack>
      <TemplatePicker open={picking} onClose={() => setPicking(false)} templates={templates} readOnly={readOnly} basePath={basePath} />
      {toast}
    </Page>
  );
}

export function CampaignListError() {
  return <PageError title="Campaigns" heading="Your campaigns could not be loaded" />;
}
