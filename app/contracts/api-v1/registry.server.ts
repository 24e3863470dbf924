import { registeredOperations } from "./endpoint.server";

// Every /api/v1 route module, loaded for its definitions, so that the document is complete even when
// Remix has not loaded a route yet (and a new route needs no line here).
import.meta.glob(["../../routes/api.v1.*.ts", "../../routes/api.v1.*.tsx", "!../../routes/*.test.ts", "!../../routes/*.test.tsx"], { eager: true });

export function allOperations() {
  return registeredOperations();
}
