import { ingestEvents } from "~/domain/ingest/process.server";
import { shopifyWebhooks } from "~/domain/shopify/webhooks.server";
import { stripeEvents } from "~/domain/stripe-events/process.server";

/** Every inbound event source, by the name `events replay --source` takes: a new source is a line here. */
export const inboxSources = {
  stripe: stripeEvents,
  shopify: shopifyWebhooks,
  ingest: ingestEvents,
} as const;

export type InboxSourceName = keyof typeof inboxSources;
