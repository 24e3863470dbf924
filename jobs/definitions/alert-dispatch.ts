import { sendAlertDispatch } from "~/domain/alerts/dispatch.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Sends one alert (email, SMS, webhook, in-app), once per rule and event or period (ADR 0077). */
export const alertDispatchJob = defineJob({
  queue: queues.alertDispatch,
  // Each waits on SMTP or Twilio.
  concurrency: 8,
  handler: (data, ctx) => sendAlertDispatch({ dispatchId: data.dispatchId, finalAttempt: ctx.lastAttempt }),
});
