import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The views' tests alone, without the database the root config sets up:
//   npx vitest run --config extensions/stripe-app/vitest.config.ts
// `npm test` runs them too, through the root config's `include`.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  test: {
    include: ["src/**/*.test.tsx"],
  },
});
