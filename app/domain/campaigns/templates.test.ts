import { describe, expect, it } from "vitest";
import { assertKnownPlaceholders } from "~/domain/dunning/templates";
import { MAX_EMAILS_PER_RECOVERY } from "~/domain/recovery/email-plan";
import { CampaignFiltersSchema, CAMPAIGN_TRIGGERS } from "./model";
import { CAMPAIGN_TEMPLATES } from "./templates";

describe("the campaign templates", () => {
  it("use only placeholders the renderer fills, valid triggers and filters, and at most three emails, in order", () => {
    expect(new Set(CAMPAIGN_TEMPLATES.map((t) => t.id)).size).toBe(CAMPAIGN_TEMPLATES.length);
    for (const t of CAMPAIGN_TEMPLATES) {
      expect(() => assertKnownPlaceholders([...t.steps]), t.id).not.toThrow();
      expect(CAMPAIGN_TRIGGERS, t.id).toContain(t.trigger);
      expect(CampaignFiltersSchema.safeParse(t.filters).success, t.id).toBe(true);
      expect(t.steps.length, t.id).toBeLessThanOrEqual(MAX_EMAILS_PER_RECOVERY);
      const delays = t.steps.map((s) => s.delayHours);
      expect([...delays].sort((a, b) => a - b), t.id).toEqual(delays);
      for (const s of t.steps) expect(s.bodyTemplate, t.id).toContain("{{update_payment_url}}");
    }
  });
});
