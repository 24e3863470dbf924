import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { AppProvider as PolarisProvider, Banner, Page } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticateShopAdmin } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

// The Shopify admin's embedded app (App Bridge, session tokens): the same pages as /dashboard.
export async function loader({ request }: LoaderFunctionArgs) {
  await authenticateShopAdmin(request);
  return { apiKey: process.env.SHOPIFY_API_KEY ?? "" };
}

export default function EmbeddedApp() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        <Link to="/app" rel="home">
          Overview
        </Link>
        <Link to="/app/dunning">Dunning emails</Link>
        <Link to="/app/settings">Settings</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 503) {
    return (
      <PolarisProvider i18n={en}>
        <Page title="Recoup for Shopify">
          <Banner tone="warning" title="Not configured">
            <p>{String(error.data)}</p>
          </Banner>
        </Page>
      </PolarisProvider>
    );
  }
  return boundary.error(error);
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
