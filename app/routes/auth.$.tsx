import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopify } from "~/shopify.server";

// Shopify OAuth (install from outside the admin) and its callback.
export async function loader({ request }: LoaderFunctionArgs) {
  await shopify().authenticate.admin(request);
  return null;
}
