import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { CustomerList } from "~/components/CustomerList";
import { PageError } from "~/components/PageError";
import { CustomerListQuerySchema, listCustomersForPages } from "~/contracts/dashboard/customers.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { AppError } from "~/domain/errors";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";

// /dashboard/customers: the workspace's customers, searched by any part of a name or email, a page at a time.
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  const url = new URL(request.url);
  const query = CustomerListQuerySchema.parse(Object.fromEntries(url.searchParams));
  const [page, workspace] = await Promise.all([
    listCustomersForPages({ workspaceId: session.workspaceId, query }).catch((error) => {
      // A stale or hand-edited cursor: the first page instead.
      if (!(error instanceof AppError && error.code === "invalid_cursor")) throw error;
      url.searchParams.delete("cursor");
      throw redirect(`${url.pathname}${url.search}`);
    }),
    getWorkspace(session.workspaceId),
  ]);
  return { ...page, query, timeZone: workspace.timezone };
}

export const meta: MetaFunction = () => [{ title: "Customers · Recoup" }];

export default CustomerList;

export function ErrorBoundary() {
  return <PageError title="Customers" heading="The customers could not be loaded" />;
}
