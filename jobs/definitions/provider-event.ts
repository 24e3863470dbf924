import { providerEvents } from "~/domain/collect/events.server";
import { processInbox } from "~/domain/inbox/inbox.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** A processor's verified webhook event (Dojo's): the payment it names is read back and applied. */
export const providerEventJob = defineJob({
  queue: queues.providerEvent,
  concurrency: 4,
  handler: (data, ctx) => processInbox(providerEvents, data, ctx),
});
