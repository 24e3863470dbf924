// The composition root: plugs the payment providers and the engine's listeners into the engine.
// Every entry point imports it once (the Remix server entry, the worker's job registry, the CLI, the
// test setup), so that the engine never imports the modules that depend on it.
import { registerDefaultProvider, registerProvider } from "~/domain/recovery/providers.server";
import { ingestProvider } from "~/providers/ingest/provider.server";
import { shopifyProvider } from "~/providers/shopify/provider.server";
import { stripeProvider } from "~/providers/stripe/provider.server";

registerProvider(stripeProvider);
registerProvider(shopifyProvider);
// Ingested payments carry their PSP's name (adyen, braintree, custom…): the merchant charges them all.
registerDefaultProvider(ingestProvider);
