// A new recovery joins the first active campaign that claims it, and that campaign's first email
// is scheduled (app/domain/dunning). Registered in app/wiring.server.ts before the dunning listener.
import type { RecoveryListener } from "~/domain/recovery/listeners";
import { scheduleSequence } from "~/domain/dunning/messages.server";
import type { Tx } from "~/utils/db.server";
import type { Recovery } from "../../../generated/prisma/client";
import { enrollRecovery } from "./enrollment.server";

/** Enrolls the recovery (inside the engine's transaction that opened it) and schedules its campaign's first step; null when no campaign claims it. */
export async function startCampaign(tx: Tx, recovery: Recovery) {
  const campaign = await enrollRecovery(tx, recovery);
  return campaign ? scheduleSequence({ tx, recovery, sequence: campaign }) : null;
}

export const campaignListener: RecoveryListener = {
  opened: (tx, recovery) => startCampaign(tx, recovery),
};
