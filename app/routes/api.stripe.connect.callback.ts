import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { completeStripeConnect } from "~/providers/stripe/connect.server";
import { readQuery } from "~/http/body.server";
import { apiHandler, json } from "~/http/problem.server";

const QuerySchema = z.object({ code: z.string().min(1), state: z.string().min(1) });

const wantsHtml = (request: Request) => (request.headers.get("accept") ?? "").includes("text/html");

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const params = new URL(request.url).searchParams;
  // The merchant pressed "Deny" on Stripe's page.
  if (params.get("error") && wantsHtml(request)) return redirect(`/dashboard?connect=denied`);
  const query = readQuery(request, QuerySchema);
  try {
    const result = await completeStripeConnect(query);
    // A browser arriving from Stripe goes back to the dashboard; API clients get the contract's JSON.
    if (wantsHtml(request)) return redirect(`/dashboard?connected=${encodeURIComponent(result.connectedAccount.stripeAccountId)}`);
    return json(result);
  } catch (error) {
    if (wantsHtml(request)) return redirect(`/dashboard?connect=failed`);
    throw error;
  }
});
