import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { EmptyState, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { PageError } from "~/components/PageError";
import { OverviewView } from "~/components/OverviewView";
import { loadOverviewPage } from "~/contracts/dashboard/overview-page.server";
import { authenticateShopAdmin } from "~/shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

// The overview inside the Shopify admin: the same cards, trend and list as /dashboard's.
export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId, session } = await authenticateShopAdmin(request);
  return { shop: session.shop, ...(await loadOverviewPage({ workspaceId, request })) };
}

export default function EmbeddedOverview() {
  const { shop, ...page } = useLoaderData<typeof loader>();
  return (
    <OverviewView
      page={page}
      basePath="/app"
      trendEmptyText={`When a subscription payment from ${shop} fails, it shows up here the same day, and again when Recoup wins it back.`}
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
  );
}

export function ErrorBoundary() {
  return <PageError title="Overview" heading="The overview could not be loaded" />;
}
