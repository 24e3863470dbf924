import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { BlockStack, EmptyState, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { RecoveriesTable } from "~/components/RecoveriesTable";
import { SummaryCards } from "~/components/SummaryCards";
import { getDashboardSummary, SUMMARY_WINDOWS } from "~/domain/analytics/summary.server";
import { listRecoveries, RECOVERY_STATUSES } from "~/domain/recovery/queries.server";
import { authenticateShopAdmin } from "~/shopify.server";

const QuerySchema = z.object({
  window: z.enum(SUMMARY_WINDOWS).catch("month"),
  status: z.enum(RECOVERY_STATUSES).optional().catch(undefined),
});

// The overview inside the Shopify admin: the same numbers and list as the standalone dashboard.
export async function loader({ request }: LoaderFunctionArgs) {
  const { workspaceId, session } = await authenticateShopAdmin(request);
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [summary, recoveries] = await Promise.all([
    getDashboardSummary({ workspaceId, window: query.window }),
    listRecoveries({ workspaceId, status: query.status, limit: 20 }),
  ]);
  return { shop: session.shop, summary, recoveries, query };
}

export default function EmbeddedOverview() {
  const { shop, summary, recoveries, query } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const go = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`?${next.toString()}`);
  };
  return (
    <Page title="Recoup">
      <BlockStack gap="500">
        <SummaryCards summary={summary} onWindowChange={(w) => go("window", w)} />
        <RecoveriesTable
          items={recoveries.items}
          status={query.status}
          onStatusChange={(s) => go("status", s)}
          detailUrl={(id) => `/app/recoveries/${id}`}
          emptyState={
            <EmptyState heading="No failed subscription payments yet" image="">
              <Text as="p">Recoup watches {shop} for failed subscription billing attempts and recovers them automatically.</Text>
            </EmptyState>
          }
        />
      </BlockStack>
    </Page>
  );
}
