import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useLocation, useNavigate } from "@remix-run/react";
import { useEffect, useState } from "react";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { ApiReference } from "~/components/ApiReference";
import { buildApiReference } from "~/contracts/api-v1/docs-reference";
import { buildOpenApiDocument } from "~/contracts/api-v1/openapi.server";
import { allOperations } from "~/contracts/api-v1/registry.server";
import { rateLimits } from "~/http/rate-limit.server";
import { API_VERSIONS, CURRENT_API_VERSION } from "~/utils/api-versions";
import styles from "~/styles/api-reference.css?url";
import { env } from "~/utils/env.server";

// /docs/api: the API reference, server-rendered from the same OpenAPI document as /api/v1/openapi.json
// (no script or CDN needed, so it works offline and without JavaScript).

// No favicon request (as on /recover): one less 404.
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];
export const meta: MetaFunction = () => [{ title: "Recoup API reference" }];

export async function loader(_args: LoaderFunctionArgs) {
  const baseUrl = env().APP_URL;
  const doc = buildOpenApiDocument({ baseUrl, operations: allOperations() });
  return { baseUrl, reference: buildApiReference(doc), limits: rateLimits(), versions: [...API_VERSIONS], current: CURRENT_API_VERSION };
}

export default function DocsApi() {
  const data = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const { hash } = useLocation();
  // After hydration only: the server never sees the fragment.
  const [activeId, setActiveId] = useState<string | null>(null);
  useEffect(() => setActiveId(hash.length > 1 ? decodeURIComponent(hash.slice(1)) : null), [hash]);
  return (
    <AppProvider i18n={en}>
      <ApiReference {...data} activeId={activeId} onFragmentLink={(to) => navigate({ hash: to })} />
    </AppProvider>
  );
}
