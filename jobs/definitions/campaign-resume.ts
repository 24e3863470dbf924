import { resumeCampaignEnrollments } from "~/domain/dunning/messages.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** A campaign paused and activated again: its paused enrollments pick up their next email. */
export const campaignResumeJob = defineJob({
  queue: queues.campaignResume,
  concurrency: 1,
  handler: (data) => resumeCampaignEnrollments(data),
});
