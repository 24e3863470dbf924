import { listRecoveries, recoveryReference } from "~/domain/recovery/queries.server";
import { recoveryAttemptDto, recoveryOutcomeDto } from "~/contracts/dunningdog/dto";

/**
 * A page of recoveries for the merchant's own pages (the overview's table, the Stripe App's drawer):
 * DunningDog's attempt and outcome (the shape these pages were built on), and `reference`, the row's
 * names in the platform's words.
 */
export async function listRecoveriesForPages(input: Parameters<typeof listRecoveries>[0]) {
  const { items, nextCursor } = await listRecoveries(input);
  return {
    items: items.map((row) => ({
      attempt: recoveryAttemptDto(row),
      latestOutcome: row.outcomes[0] ? recoveryOutcomeDto(row.outcomes[0]) : null,
      reference: recoveryReference(row),
    })),
    nextCursor,
  };
}
