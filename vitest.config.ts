import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// The Remix Vite plugin is deliberately absent: tests import route modules
// directly (https://remix.run/docs/en/main/guides/vite#plugin-usage-with-other-vite-based-tools-eg-vitest-storybook).
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["app/**/*.test.ts", "app/**/*.test.tsx", "jobs/**/*.test.ts", "tests/**/*.test.ts", "extensions/stripe-app/src/**/*.test.tsx", "extensions/shopify/**/*.test.ts", "extensions/shopify/**/*.test.tsx"],
    exclude: ["tests/browser/**", "tests/faults/**", "node_modules/**"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // tests/e2e/http-front.test.ts serves the built app in-process: Node loads it, as `npm start` does.
    server: { deps: { external: [/\/build\/server\//] } },
  },
});
