import type { JobDefinition } from "./define";

/** Every job the worker runs. */
export const jobDefinitions: JobDefinition[] = [];
