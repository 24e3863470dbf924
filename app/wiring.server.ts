// The composition root: plugs the payment providers and the engine's listeners into the engine.
// Every entry point imports it once (the Remix server entry, the worker's job registry, the CLI, the
// test setup), so that the engine never imports the modules that depend on it.
import { customerActionListener } from "~/domain/card-update/channel.server";
import { dunningListener } from "~/domain/dunning/recovery-listener.server";
import { onRecovery } from "~/domain/recovery/listeners";
import { registerDefaultProvider, registerProvider } from "~/domain/recovery/providers.server";
import { ingestProvider } from "~/providers/ingest/provider.server";
import { shopifyProvider } from "~/providers/shopify/provider.server";
import { stripeProvider } from "~/providers/stripe/provider.server";

// Told in this order, in the engine's transaction (docs/decisions/0039-the-engine-boundary.md).
onRecovery("dunning", dunningListener);
onRecovery("card-update", customerActionListener);

registerProvider(stripeProvider);
registerProvider(shopifyProvider);
// Ingested payments carry their PSP's name (adyen, braintree, custom…): the merchant charges them all.
registerDefaultProvider(ingestProvider);
