import { settleRecoveryElsewhere } from "~/domain/recovery/engine.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** A recovery paid through a pay-link: its provider stops collecting the debt. */
export const recoverySettleElsewhereJob = defineJob({
  queue: queues.recoverySettleElsewhere,
  handler: (data) => settleRecoveryElsewhere({ recoveryId: data.recoveryId }),
});
