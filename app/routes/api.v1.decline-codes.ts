import { DeclineCodeListQuerySchema, DeclineCodeSchema, listDeclineCodes } from "~/contracts/api-v1/decline-codes.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/decline-codes",
  scope: "read:decline_codes",
  summary: "List decline codes",
  description:
    "The catalogue Recoup's engine classifies every failure with: 268 codes across 13 PSPs (Stripe, Adyen, Braintree, Checkout.com and Shopify in depth; Authorize.net, PayPal, Worldpay, GoCardless, Mollie, Square, Razorpay and Paddle for their common failures), each with its category (`soft_retry`, `hard_customer`, `terminal`, `unknown`), LostChurn's subcategory word, meaning and recommended action. Ordered by PSP, then code.",
  tags: ["Decline codes"],
  query: DeclineCodeListQuerySchema,
  response: pageSchema(DeclineCodeSchema),
  example: { query: { psp: "stripe", category: "soft_retry", limit: "50" } },
  handler: async ({ query }) => listDeclineCodes(query),
});

const route = routeOf(list);
export const loader = route.loader;
