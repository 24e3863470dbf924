import { useHydratedBreakpoints } from "./useHydratedBreakpoints";
import { Badge, BlockStack, Box, Button, Card, IndexTable, InlineStack, Link, Tabs, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { formatMoney } from "~/utils/money";
import { formatDate } from "~/contracts/dashboard/format";

export type RecoveryStatus = "pending" | "recovered" | "failed" | "abandoned";

/** One row of `listRecoveries` / `/api/dashboard/recoveries` (the fields shown here). */
export interface RecoveryListItem {
  /** The debt and the customer in the platform's words (a Shopify contract, not its `shopify:…` key). */
  reference: { title: string; subtitle: string };
  /** The customer as Recoup knows them (absent: only the platform's id is known). */
  customer?: { id: string; name: string | null; email: string | null } | null;
  /** Why the payment failed, in one line (the platform's message or decline code). */
  failureReason?: string | null;
  paused?: boolean;
  attempt: {
    id: string;
    stripeInvoiceId: string;
    stripeCustomerId: string;
    declineType: "soft" | "hard";
    status: RecoveryStatus;
    amountDueCents: number;
    currency: string;
    recoveredAmountCents: number | null;
    startedAt: string;
    endedAt: string | null;
    nextActionAt: string | null;
    nextActionReason: string | null;
  };
}

type Tone = "success" | "critical" | "attention" | undefined;

export const STATUS_LABELS: Record<RecoveryStatus, { label: string; tone: Tone }> = {
  pending: { label: "Recovering", tone: "attention" },
  recovered: { label: "Recovered", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  abandoned: { label: "Abandoned", tone: undefined },
};

const TABS: Array<{ status: RecoveryStatus | undefined; content: string }> = [
  { status: undefined, content: "All" },
  { status: "pending", content: "Recovering" },
  { status: "recovered", content: "Recovered" },
  { status: "failed", content: "Failed" },
  { status: "abandoned", content: "Abandoned" },
];

const DECLINE_LABELS = { soft: "Soft decline", hard: "Hard decline" } as const;

export function StatusBadge({ status }: { status: RecoveryStatus }) {
  const { label, tone } = STATUS_LABELS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

function NextAction({ attempt, timeZone }: { attempt: RecoveryListItem["attempt"]; timeZone: string }) {
  if (!attempt.nextActionAt && !attempt.nextActionReason) {
    return (
      <Text as="span" tone="subdued">
        {attempt.endedAt ? `Ended ${formatDate(attempt.endedAt, timeZone)}` : "—"}
      </Text>
    );
  }
  return (
    // Reasons are sentences: let them wrap instead of widening the table.
    <div style={{ whiteSpace: "normal", minWidth: 220, maxWidth: 360 }}>
      <BlockStack gap="050">
        {attempt.nextActionAt ? (
          <Text as="span" fontWeight="medium">
            {formatDate(attempt.nextActionAt, timeZone)}
          </Text>
        ) : null}
        {attempt.nextActionReason ? (
          <Text as="span" variant="bodySm" tone="subdued">
            {attempt.nextActionReason}
          </Text>
        ) : null}
      </BlockStack>
    </div>
  );
}

function amountOf(attempt: RecoveryListItem["attempt"]): string {
  return formatMoney(attempt.amountDueCents, attempt.currency);
}

/** The customer's name, else their email, else the platform's id; the email below a name. */
export function customerLabel(item: Pick<RecoveryListItem, "customer" | "reference">): { primary: string; secondary: string | null } {
  const { customer } = item;
  if (customer?.name) return { primary: customer.name, secondary: customer.email };
  if (customer?.email) return { primary: customer.email, secondary: null };
  return { primary: item.reference.subtitle, secondary: null };
}

/** A link to the customer's page inside a row that is itself a link: the row must not take the click. */
function CustomerCell({ item, customerUrl }: { item: RecoveryListItem; customerUrl?: (customerId: string) => string }) {
  const { primary, secondary } = customerLabel(item);
  const url = item.customer && customerUrl ? customerUrl(item.customer.id) : null;
  return (
    <BlockStack gap="050">
      <Text as="span" fontWeight="medium" breakWord>
        {url ? (
          <span onClick={(event) => event.stopPropagation()}>
            <Link url={url} monochrome>
              {primary}
            </Link>
          </span>
        ) : (
          primary
        )}
      </Text>
      {secondary ? (
        <Text as="span" variant="bodySm" tone="subdued" breakWord>
          {secondary}
        </Text>
      ) : null}
    </BlockStack>
  );
}

/** The row's own link (IndexTable makes the whole row follow it); plain text without a detailUrl. */
function PrimaryLink({ url, children }: { url: string | null; children: ReactNode }) {
  if (!url) return <>{children}</>;
  return (
    <Link url={url} monochrome removeUnderline dataPrimaryLink>
      {children}
    </Link>
  );
}

/**
 * Recoveries, newest first, with status tabs and keyset paging. The caller owns the filter
 * and the page (URL parameters in the dashboard) through onStatusChange and the page URLs.
 */
export function RecoveriesTable({
  items,
  status,
  onStatusChange,
  nextPageUrl,
  firstPageUrl,
  timeZone = "UTC",
  loading = false,
  emptyState,
  detailUrl,
  referenceHeading = "Invoice",
  customerUrl,
  filtered = false,
  clearFiltersUrl,
  toolbar,
}: {
  items: RecoveryListItem[];
  status?: RecoveryStatus;
  onStatusChange?: (status: RecoveryStatus | undefined) => void;
  /** Older recoveries; null on the last page. */
  nextPageUrl?: string | null;
  /** Back to the newest; null on the first page. */
  firstPageUrl?: string | null;
  timeZone?: string;
  loading?: boolean;
  /** Shown instead of the table when there is nothing at all to list. */
  emptyState?: ReactNode;
  /** Where a row leads (a recovery's detail page); rows are not links without it. */
  detailUrl?: (recoveryId: string) => string;
  /** The invoice column's heading: what the rows' references are (invoices by default). */
  referenceHeading?: string;
  /** Where a row's customer leads (their page); plain text without it. */
  customerUrl?: (customerId: string) => string;
  /** Search or filters narrow the list: an empty list says so, with a way back. */
  filtered?: boolean;
  clearFiltersUrl?: string;
  /** Search, filters and export, between the tabs and the rows. */
  toolbar?: ReactNode;
}) {
  const { smDown } = useHydratedBreakpoints();
  const selected = Math.max(0, TABS.findIndex((t) => t.status === status));

  const rows = items.map(({ attempt, reference, failureReason, paused }, index) =>
    smDown ? (
      <IndexTable.Row id={attempt.id} key={attempt.id} position={index}>
        <div style={{ padding: "12px 16px", width: "100%" }}>
          <BlockStack gap="100">
            <InlineStack align="space-between" blockAlign="center" gap="200">
              <Text as="span" fontWeight="semibold">
                <PrimaryLink url={detailUrl?.(attempt.id) ?? null}>{amountOf(attempt)}</PrimaryLink>
              </Text>
              <StatusBadge status={attempt.status} />
            </InlineStack>
            {items[index]!.customer ? (
              <>
                <CustomerCell item={items[index]!} customerUrl={customerUrl} />
                <Text as="span" variant="bodySm" breakWord>
                  {reference.title}
                </Text>
              </>
            ) : (
              <Text as="span" variant="bodySm" breakWord>
                {reference.title} · {reference.subtitle}
              </Text>
            )}
            <Text as="span" variant="bodySm" tone="subdued" breakWord>
              {items[index]!.failureReason ?? DECLINE_LABELS[attempt.declineType]} · failed {formatDate(attempt.startedAt, timeZone, false)}
              {items[index]!.paused ? " · paused" : ""}
            </Text>
            {attempt.nextActionReason ? (
              <Text as="span" variant="bodySm" tone="subdued" breakWord>
                {attempt.nextActionAt ? `${formatDate(attempt.nextActionAt, timeZone)}: ` : ""}
                {attempt.nextActionReason}
              </Text>
            ) : null}
          </BlockStack>
        </div>
      </IndexTable.Row>
    ) : (
      <IndexTable.Row id={attempt.id} key={attempt.id} position={index}>
        <IndexTable.Cell>
          <CustomerCell item={items[index]!} customerUrl={customerUrl} />
        </IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" fontWeight="semibold">
            <PrimaryLink url={detailUrl?.(attempt.id) ?? null}>{reference.title}</PrimaryLink>
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <Text as="span" alignment="end" numeric>
            {amountOf(attempt)}
          </Text>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <InlineStack gap="100" wrap={false}>
            <StatusBadge status={attempt.status} />
            {paused ? <Badge>Paused</Badge> : null}
          </InlineStack>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <div style={{ whiteSpace: "normal", minWidth: 160, maxWidth: 280 }}>
            <BlockStack gap="050">
              <Text as="span">{failureReason ?? "—"}</Text>
              <Text as="span" variant="bodySm" tone="subdued">
                {DECLINE_LABELS[attempt.declineType]}
              </Text>
            </BlockStack>
          </div>
        </IndexTable.Cell>
        <IndexTable.Cell>
          <NextAction attempt={attempt} timeZone={timeZone} />
        </IndexTable.Cell>
        <IndexTable.Cell>{formatDate(attempt.startedAt, timeZone)}</IndexTable.Cell>
      </IndexTable.Row>
    ),
  );

  const nothingAtAll = items.length === 0 && !status && !filtered && !firstPageUrl;
  if (nothingAtAll && emptyState) return <Card>{emptyState}</Card>;

  return (
    <Card padding="0">
      {onStatusChange ? (
        <Tabs tabs={TABS.map((t, i) => ({ id: `status-${t.status ?? "all"}`, content: t.content, panelID: i === selected ? "recoveries" : undefined }))} selected={selected} onSelect={(i) => onStatusChange(TABS[i]?.status)} />
      ) : null}
      {toolbar}
      <div id="recoveries">
        <IndexTable
          condensed={smDown}
          resourceName={{ singular: "recovery", plural: "recoveries" }}
          itemCount={items.length}
          selectable={false}
          loading={loading}
          emptyState={
            <Box padding="600">
              {filtered && clearFiltersUrl ? (
                <BlockStack gap="200" inlineAlign="center">
                  <Text as="p" variant="headingSm">
                    No recoveries match
                  </Text>
                  <Text as="p" tone="subdued" alignment="center">
                    No recovery matches this search and these filters.
                  </Text>
                  <Button url={clearFiltersUrl}>Clear filters</Button>
                </BlockStack>
              ) : (
                <BlockStack gap="100" inlineAlign="center">
                  <Text as="p" variant="headingSm">
                    No recoveries here
                  </Text>
                  <Text as="p" tone="subdued">
                    {status ? `No recoveries are ${STATUS_LABELS[status].label.toLowerCase()} right now.` : "There are no more recoveries."}
                  </Text>
                </BlockStack>
              )}
            </Box>
          }
          headings={[
            { title: "Customer" },
            { title: referenceHeading },
            { title: "Amount", alignment: "end" },
            { title: "Status" },
            { title: "Failure reason" },
            { title: "Next action" },
            { title: "Failed" },
          ]}
        >
          {rows}
        </IndexTable>
      </div>
      {nextPageUrl || firstPageUrl ? (
        <Box padding="300" borderBlockStartWidth="025" borderColor="border">
          <InlineStack align="space-between" gap="200">
            {firstPageUrl ? <Button url={firstPageUrl}>Newest</Button> : <span />}
            {nextPageUrl ? <Button url={nextPageUrl}>Older recoveries</Button> : null}
          </InlineStack>
        </Box>
      ) : null}
    </Card>
  );
}
