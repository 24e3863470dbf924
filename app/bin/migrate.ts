// `npm run db:migrate`: applies pending migrations (starting the embedded server when DATABASE_URL is unset).
import { prepareDatabase } from "../utils/local-postgres.server";

const db = await prepareDatabase();
console.log("Database is up to date.");
await db.stop();
