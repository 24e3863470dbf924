import { processInbox } from "~/domain/inbox/inbox.server";
import { ingestEvents } from "~/domain/ingest/process.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const ingestEventJob = defineJob({
  queue: queues.ingestEvent,
  concurrency: 4,
  handler: (data, ctx) => processInbox(ingestEvents, data, ctx),
});
