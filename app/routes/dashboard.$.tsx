import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { NotFoundPage } from "~/components/NotFoundPage";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { dashboardMeta } from "~/contracts/dashboard/pages";

// /dashboard/<anything unknown>: the styled 404 inside the frame (a 404 status, not a blank page).
export const meta: MetaFunction = () => dashboardMeta("Page not found");

export async function loader({ request }: LoaderFunctionArgs) {
  // Signed out, the sign-in page: whether a dashboard page exists is for members only.
  await requireDashboardSession(request);
  throw data(null, { status: 404 });
}

export default function NotFound() {
  return <NotFoundPage />;
}

export function ErrorBoundary() {
  return <NotFoundPage />;
}
