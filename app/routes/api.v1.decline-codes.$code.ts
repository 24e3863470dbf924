import { z } from "zod";
import { DeclineCodeDetailQuerySchema, DeclineCodeDetailSchema, getDeclineCode } from "~/contracts/api-v1/decline-codes.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/decline-codes/{code}",
  scope: "read:decline_codes",
  summary: "Get a decline code",
  description:
    "Every PSP's entry for the code (case-insensitive), in `variations`; `category` is set when they all agree. With `psp`, only that PSP's entry. A code no PSP knows is 404.",
  tags: ["Decline codes"],
  params: z.object({ code: z.string().trim().min(1).max(200) }),
  query: DeclineCodeDetailQuerySchema,
  response: DeclineCodeDetailSchema,
  errors: ["decline_code_not_found"],
  example: { params: { code: "insufficient_funds" } },
  handler: async ({ params, query }) => getDeclineCode({ code: params.code, psp: query.psp }),
});

const route = routeOf(get);
export const loader = route.loader;
