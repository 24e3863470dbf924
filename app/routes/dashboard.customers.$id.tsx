import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { CustomerDetail } from "~/components/CustomerDetail";
import { PageError } from "~/components/PageError";
import { loadCustomerPage } from "~/contracts/dashboard/customers.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";

// /dashboard/customers/:id: who they are, their card, recoveries, payments, emails and totals per currency.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  const [page, workspace] = await Promise.all([
    loadCustomerPage({ workspaceId: session.workspaceId, customerId: params.id ?? "" }),
    getWorkspace(session.workspaceId),
  ]);
  return { ...page, timeZone: workspace.timezone };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.customer.name ?? data.customer.email ?? data.customer.externalId} · Customers · Recoup` : "Customer · Recoup" },
];

export default CustomerDetail;

export function ErrorBoundary() {
  return (
    <PageError
      title="Customer"
      heading="This customer could not be loaded"
      notFound={{ title: "Customer not found", heading: "There is no such customer in this workspace" }}
      backAction={{ content: "Customers", url: "/dashboard/customers" }}
    />
  );
}
