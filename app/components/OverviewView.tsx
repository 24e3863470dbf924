import { useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { BlockStack, Box, Page, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { ExportButton } from "~/components/ExportButton";
import { RecoveriesFilters } from "~/components/RecoveriesFilters";
import { RecoveriesTable } from "~/components/RecoveriesTable";
import { RecoveryTrendChart } from "~/components/RecoveryTrendChart";
import { SummaryCards } from "~/components/SummaryCards";
import { DEFAULT_WINDOW } from "~/contracts/dashboard/pages";
import type { OverviewPage } from "~/contracts/dashboard/overview-page.server";

/**
 * The overview of every home of the merchant UI (app/contracts/dashboard/overview-page.server.ts): the cards, the
 * trend and the recoveries, their period, filter and page in the URL under `basePath`. Every other
 * parameter rides along (App Bridge's shop, host, embedded…), except `oneShotParams`.
 */
export function OverviewView(props: {
  page: OverviewPage;
  basePath: string;
  /** Parameters that say something once (the Connect flow's outcome): dropped by the next change. */
  oneShotParams?: readonly string[];
  /** Above the cards; `dismiss` drops the one-shot parameters. */
  notices?: (dismiss: () => void) => ReactNode;
  trendEmptyText?: string;
  emptyState: ReactNode;
  referenceHeading?: string;
  /** The customer's page (absent where there is none). */
  customerUrl?: (customerId: string) => string;
  /** The CSV of the list with these filters (absent where there is no export). */
  exportUrl?: (search: string) => string;
}) {
  const { page, basePath, oneShotParams = [] } = props;
  const { summary, extras, trend, recoveries, query, timeZone, filtered, filterOptions } = page;
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === basePath;
  const openingRecovery = navigation.state === "loading" && navigation.location.pathname.startsWith(`${basePath}/recoveries/`);

  const pageUrl = (changes: Record<string, string | undefined>): string => {
    const next = new URLSearchParams(params);
    for (const key of oneShotParams) next.delete(key);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) next.delete(key);
      else next.set(key, value);
    }
    const search = next.toString();
    return search ? `${basePath}?${search}` : basePath;
  };
  // The list's search and filters (the status tab aside) and the page's other parameters.
  const filterKeys = ["q", "status", "category", "provider", "campaign", "paused", "from", "to"] as const;
  const keep = Object.fromEntries([...params].filter(([key]) => key !== "cursor" && !oneShotParams.includes(key) && !(filterKeys as readonly string[]).includes(key)));
  const filterValues = Object.fromEntries(filterKeys.flatMap((key) => (query[key] ? [[key, query[key]]] : [])));
  const clearUrl = filtered ? pageUrl(Object.fromEntries([...filterKeys, "cursor"].map((key) => [key, undefined]))) : null;
  const exportSearch = new URLSearchParams(filterValues).toString();

  const go = (changes: Record<string, string | undefined>) => navigate(pageUrl(changes), { preventScrollReset: true });

  return (
    <Page title="Overview">
      <BlockStack gap="500">
        {props.notices?.(() => go({}))}
        <SummaryCards summary={summary} extras={extras} loading={loading} onWindowChange={(window) => go({ window: window === DEFAULT_WINDOW ? undefined : window })} />
        <RecoveryTrendChart days={trend} emptyText={props.trendEmptyText} />
        <BlockStack gap="300">
          <Box paddingInline={{ xs: "400", sm: "0" }}>
            <Text as="h2" variant="headingMd">
              Recoveries
            </Text>
          </Box>
          <RecoveriesTable
            items={recoveries.items}
            status={query.status}
            timeZone={timeZone}
            loading={loading || openingRecovery}
            onStatusChange={(status) => go({ status, cursor: undefined })}
            nextPageUrl={recoveries.nextCursor ? pageUrl({ cursor: recoveries.nextCursor }) : null}
            firstPageUrl={query.cursor ? pageUrl({ cursor: undefined }) : null}
            detailUrl={(id) => `${basePath}/recoveries/${id}`}
            referenceHeading={props.referenceHeading}
            emptyState={props.emptyState}
            customerUrl={props.customerUrl}
            filtered={filtered}
            clearFiltersUrl={clearUrl ?? undefined}
            toolbar={
              <RecoveriesFilters
                action={basePath}
                values={filterValues}
                options={filterOptions}
                keep={keep}
                clearUrl={clearUrl}
                actions={props.exportUrl ? <ExportButton url={props.exportUrl(exportSearch)} filename="recoveries.csv" /> : null}
              />
            }
          />
        </BlockStack>
      </BlockStack>
    </Page>
  );
}
