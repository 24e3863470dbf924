import { sendDunningMessage } from "~/domain/dunning/messages.server";
import { SMTP_MAX_CONNECTIONS } from "~/utils/email.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Hands one dunning message to the mail transport; pg-boss retries failures with backoff. */
export const dunningSendJob = defineJob({
  queue: queues.dunningSend,
  // One per SMTP connection: a message is claimed (`sending`) only when a connection is free for it,
  // so a killed worker loses at most the exchanges in flight, not a queue of claimed messages (ADR 0058).
  concurrency: SMTP_MAX_CONNECTIONS,
  handler: (data, ctx) => sendDunningMessage({ messageId: data.messageId, lastAttempt: ctx.lastAttempt }),
});
