import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Outlet, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { AppProvider, Banner, Page } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { DashboardFrame } from "~/components/DashboardFrame";
import { NotFoundPage } from "~/components/NotFoundPage";
import { PolarisLink } from "~/components/PolarisLink";
import { dashboardFrame } from "~/contracts/dashboard/frame.server";
import { dashboardMeta } from "~/contracts/dashboard/pages";

// The standalone dashboard's frame: who is signed in, their bell, and Polaris' Frame around every
// page under /dashboard. Each page names itself: `meta = () => dashboardMeta("Settings")`.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "data:," },
];

// For pages without a `meta` of their own; the overview (the index route) is "Overview". (A parent's
// `meta` sees only the matches down to itself, so the address tells.)
export const meta: MetaFunction = ({ location }) => dashboardMeta(/^\/dashboard\/?$/.test(location.pathname) ? "Overview" : "");

export const loader = ({ request }: LoaderFunctionArgs) => dashboardFrame(request);

export default function Dashboard() {
  const frame = useLoaderData<typeof loader>();
  return (
    <AppProvider i18n={en} linkComponent={PolarisLink}>
      <DashboardFrame frame={frame}>
        <Outlet />
      </DashboardFrame>
    </AppProvider>
  );
}

/** A page without its own boundary, or the frame itself, failed: a 404 gets the styled page, anything else an apology. */
export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "Please reload the page in a moment.";
  return (
    <AppProvider i18n={en} linkComponent={PolarisLink}>
      {notFound ? (
        <NotFoundPage detail={typeof error.data === "string" ? error.data : undefined} />
      ) : (
        <Page narrowWidth title="Recoup">
          <Banner tone="critical" title="The dashboard could not be loaded">
            <p>{detail}</p>
          </Banner>
        </Page>
      )}
    </AppProvider>
  );
}
