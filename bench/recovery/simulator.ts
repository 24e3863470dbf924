// The shared simulator (../shared/recovery-sim/, beside the repository), loaded where it lives: it is
// never copied in. RECOVERY_SIM_DIR points elsewhere (a git worktree one level deeper).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { SimPolicy } from "./policy";

export interface SimResult {
  params: string;
  n: number;
  seed: number;
  recoveredRate: number;
  recoveredAmountRate: number;
  attemptsPerInvoice: number;
  emailsPerInvoice: number;
  violations: number;
  fees: number;
  medianDaysToRecover: number | null;
  violationsByRule: Record<string, number>;
  feesPerInvoice: number;
  recoveredBy: Record<string, number>;
  cancelledRate: number;
  stoppedRate: number;
  policyErrors: number;
  byReason: Record<string, { n: number; recovered: number; recoveredRate: number }>;
  invoices?: { i: number; reason: string; latent: string; recovered: boolean; retries: number; emails: number; violations: Record<string, number>; end: string }[];
}

/** The resolved parameter object of `loadParams` (model.json's shape; the bench only overrides a few fields). */
export type SimParams = Record<string, unknown> & { name: string };

export interface Simulator {
  simulate(input: { policy: SimPolicy; params: string | SimParams; n: number; seed: number; details?: boolean }): SimResult;
  loadParams(name: string): SimParams;
  /** [id, description, factory] in the simulator's table order. */
  baselines: [string, string, () => SimPolicy][];
}

function simulatorDir(): URL {
  const dir = process.env.RECOVERY_SIM_DIR;
  return dir ? pathToFileURL(`${resolve(dir)}/`) : new URL("../../../shared/recovery-sim/", import.meta.url);
}

export async function loadSimulator(): Promise<Simulator> {
  const dir = simulatorDir();
  const sim = await import(new URL("simulate.mjs", dir).href);
  const base = await import(new URL("baselines.mjs", dir).href);
  return { simulate: sim.simulate, loadParams: sim.loadParams, baselines: base.BASELINES };
}
