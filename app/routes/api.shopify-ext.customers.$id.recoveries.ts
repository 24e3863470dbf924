import { z } from "zod";
import { shopifyExtensionLoader } from "~/contracts/shopify-extension/requests.server";
import { getCustomerRecoveries } from "~/contracts/shopify-extension/views.server";
import { json } from "~/http/problem.server";

// Shopify recoveries keep the customer GID in externalCustomerId (ADR 0007).
const CustomerGid = z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/, "must be a Shopify customer GID (gid://shopify/Customer/…)");

export const loader = shopifyExtensionLoader(async ({ params, session }) => {
  const externalCustomerId = CustomerGid.parse(params.id);
  return json(await getCustomerRecoveries({ shop: session.shop, externalCustomerId }), { headers: { "Cache-Control": "no-store" } });
});
