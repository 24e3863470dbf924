import { z } from "zod";

/**
 * Names of the API's schemas (`components.schemas` in the OpenAPI document). A registry of our
 * own, not zod's global one that `.meta({ id })` writes to: `npm start` runs the web bundle and
 * the worker's source in one process (and `npm run dev` loads modules through Vite beside Node),
 * so a schema module can be evaluated twice, and the global registry throws on the second copy's
 * id. Each copy of this module has its own registry; a real duplicate within one still throws.
 */
export const API_SCHEMA_NAMES = z.registry<{ id: string }>();

/** What `z.toJSONSchema` reads metadata from: descriptions from zod's registry, names from ours. */
export const apiSchemaMetadata = {
  get(schema: z.core.$ZodType) {
    const described = z.globalRegistry.get(schema);
    const named = API_SCHEMA_NAMES.get(schema);
    return described || named ? { ...described, ...named } : undefined;
  },
} as unknown as z.core.$ZodRegistry<z.core.GlobalMeta>;
