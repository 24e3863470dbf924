// The payment providers the engine drives, registered at start-up by app/wiring.server.ts
// (docs/decisions/0037). The engine looks a recovery's provider up here instead of importing it:
// providers depend on the engine, never the other way round.
import type { PaymentProvider } from "./provider";

const registered = new Map<string, PaymentProvider>();
let otherwise: PaymentProvider | null = null;

export function registerProvider(provider: PaymentProvider) {
  registered.set(provider.name, provider);
}

/**
 * The provider of every name not registered: ingested payments come under their PSP's own name
 * ("adyen", "braintree", "custom", …), and Recoup charges none of them (ADR 0015).
 */
export function registerDefaultProvider(provider: PaymentProvider) {
  otherwise = provider;
}

export function providerFor(name: string): PaymentProvider {
  const provider = registered.get(name) ?? otherwise;
  // Only a start-up that skipped app/wiring.server.ts gets here.
  if (!provider) throw new Error(`No payment provider registered for "${name}": app/wiring.server.ts registers them.`);
  return provider;
}

/** The providers whose charges are answered later (submitted), each watching for its own answer. */
export function providersAnsweringLater(): string[] {
  return [...registered.values()].filter((p) => p.chargedBy === "recoup" && p.watchSubmitted).map((p) => p.name);
}
