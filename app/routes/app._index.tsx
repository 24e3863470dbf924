import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation, useSearchParams } from "@remix-run/react";
import { BlockStack, Box, EmptyState, Page, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { PageError } from "~/components/PageError";
import { RecoveriesTable } from "~/components/RecoveriesTable";
import { RecoveryTrendChart } from "~/components/RecoveryTrendChart";
import { DEFAULT_WINDOW, SummaryCards } from "~/components/SummaryCards";
import { loadOverviewPage } from "~/http/overview-page.server";
import { authenticateShopAdmin } from "~/shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

// The overview inside the Shopify admin: the same cards, trend and list as /dashboard's.
export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId, session } = await authenticateShopAdmin(request);
  return { shop: session.shop, ...(await loadOverviewPage({ workspaceId, request })) };
}

function pageUrl(params: URLSearchParams, changes: Record<string, string | undefined>): string {
  // App Bridge's own parameters (shop, host, embedded…) ride along.
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(key);
    else next.set(key, value);
  }
  const search = next.toString();
  return search ? `/app?${search}` : "/app";
}

export default function EmbeddedOverview() {
  const { shop, summary, extras, trend, recoveries, query, timeZone } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/app";
  const go = (changes: Record<string, string | undefined>) => navigate(pageUrl(params, changes), { preventScrollReset: true });
  return (
    <Page title="Overview">
      <BlockStack gap="500">
        <SummaryCards summary={summary} extras={extras} loading={loading} onWindowChange={(window) => go({ window: window === DEFAULT_WINDOW ? undefined : window })} />
        <RecoveryTrendChart
          days={trend}
          emptyText={`When a subscription payment from ${shop} fails, it shows up here the same day, and again when Recoup wins it back.`}
        />
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
            loading={loading}
            onStatusChange={(status) => go({ status, cursor: undefined })}
            nextPageUrl={recoveries.nextCursor ? pageUrl(params, { cursor: recoveries.nextCursor }) : null}
            firstPageUrl={query.cursor ? pageUrl(params, { cursor: undefined }) : null}
            detailUrl={(id) => `/app/recoveries/${id}`}
            referenceHeading="Subscription / customer"
            emptyState={
              <EmptyState heading="No failed subscription payments yet" image="">
                <Text as="p" tone="subdued">
                  Recoup is watching {shop}. When a subscription billing attempt fails, the recovery shows up here within a minute, with what Recoup
                  will do next: retry at the moment the payment is most likely to go through, or send Shopify&apos;s card-update email to your customer.
                </Text>
              </EmptyState>
            }
          />
        </BlockStack>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return <PageError title="Overview" heading="The overview could not be loaded" />;
}
