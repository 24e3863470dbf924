import { sendDunningMessage } from "~/domain/dunning/messages.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Hands one dunning message to the mail transport; pg-boss retries failures with backoff. */
export const dunningSendJob = defineJob({
  queue: queues.dunningSend,
  // They wait on SMTP; the transport's pool (app/utils/email.server.ts) bounds the connections.
  concurrency: 16,
  handler: (data, ctx) => sendDunningMessage({ messageId: data.messageId, lastAttempt: ctx.lastAttempt }),
});
