import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { createUpdatePaymentSession } from "~/domain/card-update/update-payment.server";
import { readJson } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

const BodySchema = z.object({ recoveryToken: z.string().min(1).max(2048) });

// No auth: the customer holds a signed, expiring recovery token.
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const body = await readJson(request, BodySchema, 8 * 1024);
  return json(await createUpdatePaymentSession(body));
});
