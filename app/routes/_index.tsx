import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { findDashboardSession } from "~/contracts/dashboard/dashboard-session.server";

// `/` is the URL `npm start` prints: the dashboard when signed in, the sign-in page otherwise. A
// request from the Shopify admin (it carries `shop`) goes to the embedded app with its parameters.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.has("shop")) throw redirect(`/app${url.search}`);
  throw redirect((await findDashboardSession(request)) ? "/dashboard" : "/auth/sign-in");
}
