import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// `npm run test:browser`: real pages in Debian's chromium against the built app.
// Same database setup as vitest.config.ts; the built server is loaded by Node itself, as
// `npm start` loads it, not through Vite's transform.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["tests/browser/**/*.test.ts"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: "forks",
    fileParallelism: false,
    server: { deps: { external: [/\/build\/server\//] } },
  },
});
