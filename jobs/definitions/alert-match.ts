import { matchAlertRules } from "~/domain/alerts/dispatch.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** An outbound event alert rules may match: one dispatch per matching realtime rule (ADR 0077). */
export const alertMatchJob = defineJob({
  queue: queues.alertMatch,
  concurrency: 4,
  handler: (data) => matchAlertRules({ eventId: data.eventId }),
});
