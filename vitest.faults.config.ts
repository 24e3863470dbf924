import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// `npm run test:faults`: streams of signed Stripe webhooks into real web and worker processes on a
// PostgreSQL cluster of each file's own, under duplicates, kill -9, a database restart and a Stripe
// outage (tests/faults/). One file at a time: each starts its own cluster and processes, and they
// share two cores.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["tests/faults/**/*.test.ts"],
    globalSetup: ["tests/setup/global-setup.ts"],
    setupFiles: ["tests/setup/per-file.ts"],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: false,
    server: { deps: { external: [/\/build\/server\//] } },
  },
});
