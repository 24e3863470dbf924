// The collection processors, registered at start-up by app/wiring.server.ts (ADR 0075): the domain
// finds a connection's processor here instead of importing app/providers/*.
import type { CollectProcessor, ProcessorName } from "./processor";

const registered = new Map<string, CollectProcessor>();

export function registerProcessor(processor: CollectProcessor) {
  registered.set(processor.name, processor);
}

export function processorFor(name: string): CollectProcessor {
  const processor = registered.get(name);
  // Only a start-up that skipped app/wiring.server.ts gets here.
  if (!processor) throw new Error(`No collection processor registered for "${name}": app/wiring.server.ts registers them.`);
  return processor;
}

export const PROCESSOR_NAMES: readonly ProcessorName[] = ["stripe", "dojo"];
