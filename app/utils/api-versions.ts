/**
 * Dated API versions (`Recoup-Version: 2026-11-01`), newest last. A request without the header gets
 * the newest. When a change would break clients, add a date here and branch on `ctx.version` in the
 * handlers that changed; never change what an existing date answers.
 */
export const API_VERSIONS = ["2026-11-01"] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const CURRENT_API_VERSION: ApiVersion = API_VERSIONS[API_VERSIONS.length - 1]!;
export const VERSION_HEADER = "Recoup-Version";
