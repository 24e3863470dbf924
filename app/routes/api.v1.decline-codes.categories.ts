import { z } from "zod";
import { DeclineCategorySchema, listDeclineCategories } from "~/contracts/api-v1/decline-codes.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const categories = defineEndpoint({
  method: "GET",
  path: "/api/v1/decline-codes/categories",
  scope: "read:decline_codes",
  summary: "List decline categories",
  description:
    "The four categories with their subcategories, the recovery rate a dunning programme usually reaches in each, and your own: recovered / closed recoveries per category (still-open ones are counted apart, not in the rate; null until one has closed).",
  tags: ["Decline codes"],
  query: z.object({}),
  // LostChurn answers the four as `data: [...]`, unpaged.
  response: z.array(DeclineCategorySchema),
  handler: ({ scope }) => listDeclineCategories(scope),
});

const route = routeOf(categories);
export const loader = route.loader;
