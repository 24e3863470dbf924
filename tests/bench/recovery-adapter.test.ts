// bench/recovery/policy.ts drives the shared simulator with the engine's own planning. What a
// merchant would notice if the translation were wrong: a broken network rule, more retries than
// the settings allow, a retry on a card the issuer refused for good, an invoice left without a
// decision, emails beyond the sequence.
import { DateTime } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { createPolicy, NEW_WORKSPACE_SETTINGS, type SimDecision, type SimPolicy, type SimState } from "../../bench/recovery/policy";
import { loadSimulator, type SimResult, type Simulator } from "../../bench/recovery/simulator";
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { MAX_EMAILS_PER_RECOVERY } from "~/domain/recovery/email-plan";

const HOUR = 3_600_000;
const MAC_WAIT_H: Record<string, number> = { "24": 1, "25": 24, "26": 48, "27": 96, "28": 144, "29": 192, "30": 240 };
const N = 1500;

interface Watched {
  result: SimResult;
  /** Each invoice's last state (every card update and failed attempt is in it). */
  finals: SimState[];
  decisions: { state: SimState; decision: SimDecision }[];
}

function watch(sim: Simulator, policy: SimPolicy, seed: number): Watched {
  const finals: SimState[] = [];
  const decisions: Watched["decisions"] = [];
  const watched: SimPolicy = (s) => {
    if (finals.length === 0 || finals[finals.length - 1].failure !== s.failure) finals.push(s);
    else finals[finals.length - 1] = s;
    const decision = policy(s);
    decisions.push({ state: s, decision });
    return decision;
  };
  const result = sim.simulate({ policy: watched, params: "public", n: N, seed, details: true });
  return { result, finals, decisions };
}

describe("the recovery bench's adapter (production policy in the simulator)", () => {
  let sim: Simulator;
  let run: Watched;
  beforeAll(async () => {
    sim = await loadSimulator();
    run = watch(sim, createPolicy(), 7);
  });

  it("answers every call with a decision the simulator accepts, and gives up only on a customer who revoked the payment", () => {
    expect(run.result.policyErrors).toBe(0);
    expect(run.finals).toHaveLength(N);
    let stops = 0;
    for (const { state, decision } of run.decisions) {
      expect(["retry", "email", "wait", "stop"]).toContain(decision.type);
      if (decision.type === "stop") {
        // The engine ends the recovery (ADR 0052): neither retried nor emailed, at the failure itself.
        expect(state.failure.declineCode).toBe("revocation_of_authorization");
        expect(state.attempts).toHaveLength(0);
        expect(state.messages).toHaveLength(0);
        stops += 1;
        continue;
      }
      const at = decision.type === "wait" ? decision.until : decision.at;
      expect(Number.isFinite(at)).toBe(true);
      // The policy's times are whole milliseconds (Dates); the simulator's clock need not be.
      expect(at).toBeGreaterThan(state.now - 1);
    }
    const revoked = run.finals.filter((f) => f.failure.declineCode === "revocation_of_authorization").length;
    expect(revoked).toBeGreaterThan(0);
    expect(stops).toBe(revoked);
    expect(run.result.stoppedRate).toBeCloseTo(revoked / N, 4);
  });

  it("breaks no card-network rule, MAC 24–30 windows included although Stripe's failure time is whole seconds", () => {
    expect(run.result.violationsByRule).toEqual({});
    // Each retry after a MAC 24–30 decline waits the window out, with the policy's margin.
    let macRetries = 0;
    for (const { state, decision } of run.decisions) {
      if (decision.type !== "retry") continue;
      const retries = state.attempts.filter((a) => a.kind === "retry");
      const updated = state.events.some((e) => e.kind === "card_updated" && e.at > (retries.at(-1)?.at ?? state.failure.failedAt));
      const last = retries.at(-1) ?? { at: state.failure.failedAt, networkAdvice: state.failure.networkAdvice };
      const wait = last.networkAdvice ? MAC_WAIT_H[last.networkAdvice] : undefined;
      if (wait === undefined || updated || state.failure.network !== "mastercard") continue;
      macRetries += 1;
      expect(decision.at).toBeGreaterThan(last.at + wait * HOUR);
    }
    expect(macRetries).toBeGreaterThan(0);
  });

  it("retries at most the settings' maxRetries per card, and never a card the issuer refused for good", () => {
    for (const row of run.result.invoices!) {
      const final = run.finals[row.i];
      const updates = final.events.filter((e) => e.kind === "card_updated").length;
      expect(row.retries).toBeLessThanOrEqual(NEW_WORKSPACE_SETTINGS.maxRetries + updates);
      const hard = final.failure.adviceCode === "do_not_try_again" || final.failure.networkCategory === 1;
      if (hard && updates === 0) expect(row.retries).toBe(0);
    }
    const perInvoice = run.result.attemptsPerInvoice;
    expect(perInvoice).toBeGreaterThan(1);
    expect(perInvoice).toBeLessThanOrEqual(NEW_WORKSPACE_SETTINGS.maxRetries);
  });

  it("sends at most three emails per invoice, never two within a day, all in the customer's daytime", () => {
    for (const final of run.finals) {
      expect(final.messages.length).toBeLessThanOrEqual(MAX_EMAILS_PER_RECOVERY);
      final.messages.forEach((m, k) => {
        // In the customer's zone as it is that day (the simulator keeps the failure day's offset across DST).
        const hour = DateTime.fromMillis(m.at, { zone: final.failure.customerTz }).hour;
        expect(hour).toBeGreaterThanOrEqual(8);
        expect(hour).toBeLessThan(20);
        if (k > 0) expect(m.at - final.messages[k - 1].at).toBeGreaterThanOrEqual(24 * HOUR);
      });
    }
    expect(DEFAULT_SEQUENCE.steps.length).toBe(MAX_EMAILS_PER_RECOVERY);
    expect(run.result.emailsPerInvoice).toBeGreaterThan(1);
    // Both ways of winning back: retries and customers acting on the emails.
    expect(run.result.recoveredBy.retry).toBeGreaterThan(0);
    expect(run.result.recoveredBy.customer_update).toBeGreaterThan(0);
  });

  it("recovers more than retrying blindly does, on the same invoices, and the same every time", () => {
    const naive = sim.simulate({ policy: sim.baselines.find(([id]) => id === "naive_daily_7d")![2](), params: "public", n: N, seed: 7 });
    expect(run.result.recoveredRate).toBeGreaterThan(naive.recoveredRate);
    const again = sim.simulate({ policy: createPolicy(), params: "public", n: N, seed: 7 });
    expect(again.recoveredRate).toBe(run.result.recoveredRate);
    expect(again.attemptsPerInvoice).toBe(run.result.attemptsPerInvoice);
  });
});
