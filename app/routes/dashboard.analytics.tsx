import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { BreakdownView } from "~/components/BreakdownView";
import { PageError } from "~/components/PageError";
import { loadAnalyticsPage } from "~/contracts/dashboard/analytics-page.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";

// /dashboard/analytics: failed vs recovered by decline code and by campaign, charts with their tables.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return loadAnalyticsPage({ workspaceId: session.workspaceId, url: new URL(request.url) });
}

export const meta: MetaFunction = () => [{ title: "Analytics · Recoup" }];

export default BreakdownView;

export function ErrorBoundary() {
  return <PageError title="Analytics" heading="The analytics could not be loaded" />;
}
