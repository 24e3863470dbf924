import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_EMAIL_WEBHOOK_BYTES, receiveEmailWebhook } from "~/domain/deliverability/events.server";
import { readRawBody } from "~/http/body.server";
import { apiHandler, json, problem } from "~/http/problem.server";

// POST /webhooks/email/<postmark|ses|sendgrid|resend>?workspace=<id>: bounces and spam complaints
// (ADR 0071). Verify (the workspace's secret for that provider), store (unique event id), enqueue, answer 200.
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const rawBody = await readRawBody(request, MAX_EMAIL_WEBHOOK_BYTES);
  const workspaceId = new URL(request.url).searchParams.get("workspace");
  const result = await receiveEmailWebhook({ provider: params.provider ?? "", workspaceId, headers: request.headers, rawBody });
  return json({ received: true, ...result });
});

export const loader = apiHandler(async () => problem("method_not_allowed", "POST email provider webhooks to this endpoint.", { headers: { Allow: "POST" } }));
