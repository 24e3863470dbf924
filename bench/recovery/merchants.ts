// Merchants the policy has never been tuned on: the simulator publishes one parameter set
// (`public`) and has no option to make others, but `simulate` takes any parameter object. These
// are `public` with one kind of merchant changed each, along the axes the simulator's README says
// its unpublished sets vary (regions, paydays, reason mixes, customer responsiveness, hour-of-day
// effects). Written before any tuning and not to be tuned on: they stand in for unseen merchants.
import type { SimParams, Simulator } from "./simulator";

type Override = (p: SimParams) => void;

const regions = (p: SimParams) => p.regions as Record<string, { weight: number; paySchedules: Record<string, number> }>;

export const UNSEEN_MERCHANTS: Record<string, { description: string; override: Override }> = {
  europe: {
    description: "a European merchant: 45 % EU, 35 % UK, 10 % US, the rest elsewhere",
    override: (p) => {
      const r = regions(p);
      Object.assign(r.EU, { weight: 0.45 });
      Object.assign(r.UK, { weight: 0.35 });
      Object.assign(r.US, { weight: 0.1 });
      for (const k of ["CA", "AU", "LATAM", "APAC"]) r[k].weight = 0.025;
    },
  },
  asia_pacific: {
    description: "an Asia-Pacific and Latin American merchant: 40 % APAC, 30 % AU, 20 % LATAM, 10 % US",
    override: (p) => {
      const r = regions(p);
      for (const [k, w] of Object.entries({ APAC: 0.4, AU: 0.3, LATAM: 0.2, US: 0.1, CA: 0, UK: 0, EU: 0 })) r[k].weight = w;
    },
  },
  weekly_pay_evening: {
    description: "US customers paid weekly or biweekly, fewer of them reading email (40 %), approvals best in the evening",
    override: (p) => {
      regions(p).US.paySchedules = { weekly: 0.5, biweekly: 0.4, semimonthly_1_15: 0.1 };
      (p.customer as { engagedShare: number }).engagedShare = 0.4;
      const hourMult = (p.timeOfDay as { hourMult: number[] }).hourMult;
      (p.timeOfDay as { hourMult: number[] }).hourMult = hourMult.map((_, h) => hourMult[(h + 14) % 24]);
    },
  },
};

export function unseenMerchantParams(sim: Simulator, name: string): SimParams {
  const merchant = UNSEEN_MERCHANTS[name];
  if (!merchant) throw new Error(`unknown merchant "${name}" (have: ${Object.keys(UNSEEN_MERCHANTS).join(", ")})`);
  const p = sim.loadParams("public");
  merchant.override(p);
  return { ...p, name };
}
