import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { shopify, shopifyConfigured } from "~/shopify.server";

// Shopify OAuth (install from outside the admin) and its callback.
export async function loader({ request }: LoaderFunctionArgs) {
  if (!shopifyConfigured()) throw data("Shopify is not configured on this Recoup server.", { status: 404 });
  await shopify().authenticate.admin(request);
  return null;
}
