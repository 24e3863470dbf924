// `npm start` (web + worker), `npm run start:web`, `npm run start:worker`, `npm run dev`.
// First: reads .env before anything reads the environment.
import "../utils/env-file.server";
import { buildIfStale } from "../utils/build.server";
import { prepareDatabase } from "../utils/local-postgres.server";
import { installProcessGuards, startupFailureMessage } from "../utils/process-guards.server";

const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");
const runWeb = !args.has("--worker");
const runWorker = !args.has("--web");

async function main() {
  // A database restart must not kill the process; a failed start still does (below).
  installProcessGuards();
  const database = await prepareDatabase((line) => console.log(line));
  const { appUrlFrom, env, EnvError } = await import("../utils/env.server");
  let config;
  try {
    config = env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  // Signal handlers go in first, so that a SIGTERM during start-up also shuts down cleanly.
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (in-flight work finishes first)…`);
    for (const stop of stops.reverse()) await stop().catch((e) => console.error(e));
    const { disconnectDb } = await import("../utils/db.server");
    await disconnectDb();
    const { planCacheSummary } = await import("../utils/prisma-plan-cache.server");
    console.log(planCacheSummary());
    await database.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  if (runWorker) {
    // Created first so that, in one process, the shared pg-boss also supervises and schedules.
    const { getBoss } = await import("../utils/queue.server");
    await getBoss({ worker: true });
  }
  if (runWeb) {
    const { seedDemoOnFirstBoot } = await import("../domain/demo/seed.server");
    const link = await seedDemoOnFirstBoot({ enabled: config.SEED_DEMO, appUrl: config.APP_URL });
    if (!dev) buildIfStale();
    const { startWeb } = await import("../server/web.server");
    const web = await startWeb({ port: config.PORT, dev });
    stops.push(web.close);
    const address = web.server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    // The one APP_URL rule, on the port actually bound (PORT=0 picks a free one).
    console.log(`Recoup is running at ${appUrlFrom({ APP_URL: process.env.APP_URL, PORT: String(port) })}`);
    if (link) console.log(`Sign in to the demo workspace (one-time link): ${link}`);
  }
  if (runWorker) {
    const { startWorker } = await import("../../jobs/worker");
    const worker = await startWorker();
    stops.push(worker.stop);
    console.log("Worker started");
  }
}

main().catch((error) => {
  console.error(startupFailureMessage(error));
  process.exit(1);
});
