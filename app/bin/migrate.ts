// `npm run db:migrate`: applies pending migrations (starting the embedded server when DATABASE_URL is unset).
// First: reads .env before anything reads the environment.
import "../utils/env-file.server";
import { prepareDatabase } from "../utils/local-postgres.server";

const db = await prepareDatabase();
console.log("Database is up to date.");
await db.stop();
