// The email sequence follows the recovery: it starts when a campaign enrolls it
// (app/domain/campaigns/recovery-listener.server.ts), picks up when a
// pause is lifted, and the last email the customer acted on is credited when it is won back.
// Registered in app/wiring.server.ts (the engine does not import dunning).
import type { RecoveryListener } from "~/domain/recovery/listeners";
import { endEnrollment, markConverted, resumeSequence } from "./messages.server";

export const dunningListener: RecoveryListener = {
  recovered: async (tx, recovery) => {
    await endEnrollment({ tx, recoveryId: recovery.id, reason: "recovered" });
    return markConverted({ tx, recoveryId: recovery.id });
  },
  resumed: async (recoveryId) => ({ nextEmailAt: (await resumeSequence({ recoveryId }))?.dueAt ?? null }),
};
