// A payment provider that exists only in the test suite: registered under a name the engine has
// never heard of, it proves that the engine drives any implementation of the port
// (app/domain/recovery/provider.ts) without a line of its own changing.
import type { ChargeResult, RecoupChargedProvider } from "~/domain/recovery/provider";
import { registerProvider } from "~/domain/recovery/providers.server";
import type { Recovery } from "../../generated/prisma/client";

type Answer = (recovery: Recovery) => ChargeResult;

/** Registers a provider whose charges of each debt answer as scripted for it, in order, and records each call. */
export function registerScriptedProvider(name: string) {
  const calls: Array<{ recoveryId: string; externalId: string; idempotencyKey: string }> = [];
  const answers = new Map<string, Answer[]>();
  const provider: RecoupChargedProvider = {
    name,
    chargedBy: "recoup",
    cardUpdate: () => "recoup_link",
    references: (r) => ({ name: "Acme", debt: { label: "Invoice", text: r.externalId, url: null, urlText: null }, subtitle: `Acme payment ${r.externalId}`, customer: { text: r.externalCustomerId, url: null } }),
    startCardUpdate: async (recovery) => ({ redirectTo: `https://pay.acme.test/update/${recovery.externalCustomerId}` }),
    cardUpdateSession: async (recovery) => ({ sessionUrl: `https://pay.acme.test/update/${recovery.externalCustomerId}`, expiresAt: new Date(0).toISOString() }),
    failureEventsIncludeOwnCharges: false,
    canCharge: async (_tx, recovery) => (recovery.externalAccountId ? { ok: true } : { ok: false, why: "no account" }),
    idempotencyKey: (recoveryId, attemptNumber) => `${name}-charge-${recoveryId}-${attemptNumber}`,
    async charge(recovery, { idempotencyKey }) {
      calls.push({ recoveryId: recovery.id, externalId: recovery.externalId, idempotencyKey });
      const next = answers.get(recovery.externalId)?.shift();
      if (!next) throw new Error(`${name}: no scripted answer left for ${recovery.externalId}`);
      return next(recovery);
    },
  };
  registerProvider(provider);
  return {
    provider,
    calls,
    answerNext: (externalId: string, ...next: Answer[]) => answers.set(externalId, [...(answers.get(externalId) ?? []), ...next]),
  };
}
