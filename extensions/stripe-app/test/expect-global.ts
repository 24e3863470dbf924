import { expect } from "vitest";

// @stripe/ui-extension-sdk/testing registers its matchers by calling Jest's global
// `expect.extend(...)` as soon as it is imported. Vitest has no global `expect`
// unless `globals: true`, which the root config does not set: give it one, before
// that import runs (test/sdk.ts imports this file first).
(globalThis as { expect?: unknown }).expect = expect;
