import { listRecoveries as listRecoveryRows } from "~/domain/recovery/queries.server";
import { recoveryAttemptDto, recoveryOutcomeDto } from "./dto";

/**
 * DunningDog's `/api/dashboard/recoveries` items exactly (`{attempt, latestOutcome}`), newest first,
 * keyset-paginated. `latestOutcome` is left out while there is none: the document declares it
 * `nullable` beside an `allOf` of RecoveryOutcome, and under OpenAPI 3.0.3 that `allOf` still rejects
 * null, so strict validators would refuse `null`; the field is not required.
 */
export async function listRecoveries(input: Parameters<typeof listRecoveryRows>[0]) {
  const { items, nextCursor } = await listRecoveryRows(input);
  return {
    items: items.map((row) => ({
      attempt: recoveryAttemptDto(row),
      ...(row.outcomes[0] ? { latestOutcome: recoveryOutcomeDto(row.outcomes[0]) } : {}),
    })),
    nextCursor,
  };
}
