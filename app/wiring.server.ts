// The composition root: plugs the payment providers and the engine's listeners into the engine, and
// lists the inbox's event sources.
// Every entry point imports it once (the Remix server entry, the worker's job registry, the CLI, the
// test setup), so that the engine never imports the modules that depend on it.
import { customerActionListener } from "~/domain/card-update/channel.server";
import { ingestEvents } from "~/domain/ingest/process.server";
import { emailEvents } from "~/domain/deliverability/events.server";
import { providerEvents } from "~/domain/collect/events.server";
import { campaignListener } from "~/domain/campaigns/recovery-listener.server";
import { dunningListener } from "~/domain/dunning/recovery-listener.server";
import { webhooksListener } from "~/domain/webhooks/recovery-listener.server";
import { onRecovery } from "~/domain/recovery/listeners";
import { shopifyWebhooks } from "~/providers/shopify/webhooks.server";
import { stripeEvents } from "~/providers/stripe/events.server";
import { registerDefaultProvider, registerProvider } from "~/domain/recovery/providers.server";
import { ingestProvider } from "~/providers/ingest/provider.server";
import { shopifyProvider } from "~/providers/shopify/provider.server";
import { stripeProvider } from "~/providers/stripe/provider.server";
import { registerProcessor } from "~/domain/collect/processors.server";
import { dojoProcessor } from "~/providers/dojo/collect.server";
import { stripeProcessor } from "~/providers/stripe/collect.server";
import { registerSmsSender } from "~/domain/alerts/sms";
import { twilioSms } from "~/providers/twilio/messages.server";

// Told in this order, in the engine's transaction (docs/decisions/0039-the-engine-boundary.md).
onRecovery("campaigns", campaignListener);
onRecovery("dunning", dunningListener);
onRecovery("card-update", customerActionListener);
// Outbound events and the facts alert rules match on (ADR 0080).
onRecovery("webhooks", webhooksListener);

registerProvider(stripeProvider);
registerProvider(shopifyProvider);
// Ingested payments carry their PSP's name (adyen, braintree, custom…): the merchant charges them all.
registerDefaultProvider(ingestProvider);

// Pay-links, hosted checkout and refunds (ADR 0075).
registerProcessor(stripeProcessor);
registerProcessor(dojoProcessor);

// Alert rules' SMS channel (ADR 0077).
registerSmsSender(twilioSms);

/** Every inbound event source, by the name `events replay --source` takes: a new source is a line here. */
export const inboxSources = {
  stripe: stripeEvents,
  shopify: shopifyWebhooks,
  ingest: ingestEvents,
  email: emailEvents,
  provider: providerEvents,
} as const;

export type InboxSourceName = keyof typeof inboxSources;
