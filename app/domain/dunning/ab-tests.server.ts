// Email A/B tests of one campaign step (LostChurn 62–64, ADR 0073): which subject and body a
// recipient gets (deterministic per customer), results with conversion and a significance test,
// and evaluation that promotes a significant winner into the step.
import { z } from "zod";
import { AppError } from "~/domain/errors";
import { differenceOfShares, twoProportionPValue, wilson } from "~/domain/experiments/stats";
import { HANDED_OVER } from "~/domain/messages/lifecycle.server";
import { bucket } from "~/domain/recovery/experiments";
import { now } from "~/utils/clock.server";
import { db, type Prisma, type Tx } from "~/utils/db.server";
import type { AbTest } from "../../../generated/prisma/client";
import { assertKnownPlaceholders } from "./templates";

/** Below this many emails per variant a difference is not called, whatever the p-value. */
export const MIN_SENT_PER_VARIANT = 30;
export const SIGNIFICANCE = 0.05;

export const CreateAbTestSchema = z.object({
  campaign_id: z.string().trim().min(1).max(100),
  variants: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(100),
        subject: z.string().trim().min(1).max(300).optional().describe("A subject template for this variant (default: the step's)."),
        template_id: z.string().trim().min(1).max(100).optional().describe("A dunning step whose body (and subject, unless `subject` is given) this variant sends."),
      }),
    )
    .min(2)
    .max(4)
    .describe("The first variant is the control; leave its subject and template_id out to keep the step as it is."),
  traffic_split: z.number().gt(0).lt(1).default(0.5).describe("Share of recipients given the test variants (split evenly); the rest get the control."),
  step_position: z.number().int().min(1).max(20).default(1).describe("Which email of the campaign is tested, from 1."),
});
export type CreateAbTestInput = z.infer<typeof CreateAbTestSchema>;

interface StoredVariant {
  key: string;
  name: string;
  subject: string | null;
  body: string | null;
  templateId: string | null;
}

const variantsOf = (row: AbTest) => row.variants as unknown as StoredVariant[];
const KEYS = ["a", "b", "c", "d"];

/** The variants' shares: the control 1 − split, the others split evenly. */
export function sharesOf(count: number, trafficSplit: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 1 - trafficSplit : trafficSplit / (count - 1)));
}

/** The variant a customer gets in this test: the same one on every failed payment. */
export function variantFor<V>(test: { id: string; trafficSplit: number }, variants: readonly V[], customerKey: string): { variant: V; index: number } {
  const x = bucket(`abtest:${test.id}`, customerKey);
  const shares = sharesOf(variants.length, test.trafficSplit);
  let edge = 0;
  for (let i = 0; i < variants.length; i++) {
    edge += shares[i]!;
    if (x < edge) return { variant: variants[i]!, index: i };
  }
  return { variant: variants[variants.length - 1]!, index: variants.length - 1 };
}

export async function createAbTest(input: { workspaceId: string; test: CreateAbTestInput }) {
  const t = CreateAbTestSchema.parse(input.test);
  const campaign = await db().dunningSequence.findFirst({ where: { id: t.campaign_id, workspaceId: input.workspaceId }, include: { steps: { orderBy: { position: "asc" } } } });
  if (!campaign) throw new AppError("campaign_not_found", "No campaign with that id in this workspace.");
  const step = campaign.steps[t.step_position - 1];
  if (!step) {
    throw new AppError("validation_failed", `The campaign has ${campaign.steps.length} email(s): there is no email ${t.step_position} to test.`, {
      errors: [{ path: "step_position", message: "No such email in the campaign." }],
    });
  }
  const templateIds = t.variants.map((v) => v.template_id).filter((id): id is string => Boolean(id));
  const templates = await db().dunningStep.findMany({ where: { id: { in: templateIds }, workspaceId: input.workspaceId } });
  const byId = new Map(templates.map((s) => [s.id, s]));
  const variants: StoredVariant[] = t.variants.map((v, i) => {
    const template = v.template_id ? byId.get(v.template_id) : undefined;
    if (v.template_id && !template) {
      throw new AppError("validation_failed", `variants.${i}.template_id: no dunning step "${v.template_id}" in this workspace.`, {
        errors: [{ path: `variants.${i}.template_id`, message: "No such step in this workspace." }],
      });
    }
    return { key: KEYS[i]!, name: v.name, subject: v.subject ?? template?.subjectTemplate ?? null, body: template?.bodyTemplate ?? null, templateId: v.template_id ?? null };
  });
  assertKnownPlaceholders(variants.map((v) => ({ subjectTemplate: v.subject ?? undefined, bodyTemplate: v.body ?? undefined })));
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "DunningSequence" WHERE id = ${campaign.id} FOR UPDATE`;
    const running = await tx.abTest.findFirst({ where: { campaignId: campaign.id, status: "running" } });
    if (running) {
      throw new AppError("ab_test_conflict", "This campaign already has an A/B test running: evaluate it first (POST /api/v1/email/ab-test/{campaign_id}/evaluate).", { ab_test_id: running.id });
    }
    const row = await tx.abTest.create({
      data: {
        workspaceId: input.workspaceId,
        campaignId: campaign.id,
        stepPosition: t.step_position,
        trafficSplit: t.traffic_split,
        variants: variants as unknown as Prisma.InputJsonValue,
      },
    });
    return abTestView(row);
  });
}

function abTestView(row: AbTest) {
  const shares = sharesOf(variantsOf(row).length, row.trafficSplit);
  return {
    id: row.id,
    campaignId: row.campaignId,
    stepPosition: row.stepPosition,
    trafficSplit: row.trafficSplit,
    status: row.status,
    winner: row.winner,
    variants: variantsOf(row).map((v, i) => ({ key: v.key, name: v.name, subject: v.subject, templateId: v.templateId, share: Math.round(shares[i]! * 10_000) / 10_000, control: i === 0 })),
    createdAt: row.createdAt,
    evaluatedAt: row.evaluatedAt,
  };
}

/**
 * Inside the dunning-step job's transaction: the subject and body a recipient gets for this step,
 * when a running A/B test covers it; null otherwise (the step's own).
 */
export async function abVariantForStep(tx: Tx, input: { campaignId: string; stepPosition: number; customerKey: string }) {
  const test = await tx.abTest.findFirst({ where: { campaignId: input.campaignId, stepPosition: input.stepPosition, status: "running" } });
  if (!test) return null;
  const { variant } = variantFor(test, variantsOf(test), input.customerKey);
  return { abTestId: test.id, abVariant: variant.key, subject: variant.subject, body: variant.body };
}

async function resultsOf(row: AbTest) {
  const messages = await db().dunningMessage.findMany({
    where: { abTestId: row.id, status: { in: HANDED_OVER } },
    select: { abVariant: true, openedAt: true, clickedAt: true, sentAt: true, createdAt: true, recovery: { select: { status: true, endedAt: true } } },
  });
  const variants = variantsOf(row);
  const stats = variants.map((v) => {
    const mine = messages.filter((m) => m.abVariant === v.key);
    // Converted: the payment was recovered after this email went out.
    const converted = mine.filter((m) => m.recovery.status === "recovered" && m.recovery.endedAt && m.recovery.endedAt >= (m.sentAt ?? m.createdAt)).length;
    return {
      key: v.key,
      name: v.name,
      sent: mine.length,
      opened: mine.filter((m) => m.openedAt).length,
      clicked: mine.filter((m) => m.clickedAt).length,
      converted,
      conversionRate: mine.length ? Math.round((converted / mine.length) * 10_000) / 10_000 : 0,
      conversionInterval: wilson(converted, mine.length),
    };
  });
  const control = stats[0]!;
  const compared = stats.map((s, i) => ({
    ...s,
    control: i === 0,
    vsControl:
      i === 0
        ? null
        : {
            difference: differenceOfShares(s.converted, s.sent, control.converted, control.sent),
            pValue: twoProportionPValue(s.converted, s.sent, control.converted, control.sent),
          },
  }));
  const enough = stats.every((s) => s.sent >= MIN_SENT_PER_VARIANT);
  const significant = compared.filter((c) => c.vsControl && c.vsControl.pValue < SIGNIFICANCE);
  const better = significant.filter((c) => c.conversionRate > control.conversionRate).sort((a, b) => b.conversionRate - a.conversionRate)[0];
  const allWorse = compared.length > 1 && compared.slice(1).every((c) => c.vsControl && c.vsControl.pValue < SIGNIFICANCE && c.conversionRate < control.conversionRate);
  const winner = !enough ? null : better ? better.key : allWorse ? control.key : null;
  return { variants: compared, enoughData: enough, significanceLevel: SIGNIFICANCE, minSentPerVariant: MIN_SENT_PER_VARIANT, winner };
}

async function latestTest(workspaceId: string, campaignId: string) {
  const campaign = await db().dunningSequence.findFirst({ where: { id: campaignId, workspaceId }, select: { id: true } });
  if (!campaign) throw new AppError("campaign_not_found", "No campaign with that id in this workspace.");
  const row = await db().abTest.findFirst({ where: { campaignId, workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  if (!row) throw new AppError("ab_test_not_found", "This campaign has no A/B test. POST /api/v1/email/ab-test starts one.");
  return row;
}

/** The campaign's latest A/B test with its results. */
export async function getAbTest(input: { workspaceId: string; campaignId: string }) {
  const row = await latestTest(input.workspaceId, input.campaignId);
  return { ...abTestView(row), results: await resultsOf(row) };
}

/**
 * Evaluates the running test: with enough emails per variant and a two-proportion z test below
 * 0.05, the best variant wins; `promote` (default true) then writes its subject and body into the
 * campaign's step and completes the test. Otherwise it keeps running.
 */
export async function evaluateAbTest(input: { workspaceId: string; campaignId: string; promote: boolean }) {
  const row = await latestTest(input.workspaceId, input.campaignId);
  if (row.status !== "running") throw new AppError("ab_test_conflict", `This campaign's latest A/B test is ${row.status}.`, { status: row.status });
  const results = await resultsOf(row);
  const winner = results.winner ? variantsOf(row).find((v) => v.key === results.winner)! : null;
  let promoted = false;
  if (winner && input.promote) {
    await db().$transaction(async (tx) => {
      const step = (await tx.dunningStep.findMany({ where: { sequenceId: row.campaignId }, orderBy: { position: "asc" } }))[row.stepPosition - 1];
      if (step && (winner.subject || winner.body)) {
        await tx.dunningStep.update({ where: { id: step.id }, data: { subjectTemplate: winner.subject ?? step.subjectTemplate, bodyTemplate: winner.body ?? step.bodyTemplate } });
      }
      await tx.abTest.update({ where: { id: row.id }, data: { status: "completed", winner: winner.key, evaluatedAt: now() } });
    });
    promoted = true;
  } else {
    await db().abTest.update({ where: { id: row.id }, data: { evaluatedAt: now() } });
  }
  const fresh = await db().abTest.findUniqueOrThrow({ where: { id: row.id } });
  return {
    ...abTestView(fresh),
    results,
    promoted,
    conclusion: !results.enoughData
      ? `Not yet: every variant needs at least ${MIN_SENT_PER_VARIANT} emails sent.`
      : winner
        ? promoted
          ? `\u201c${winner.name}\u201d converts better with p < ${SIGNIFICANCE}: it is now the campaign's email ${row.stepPosition}.`
          : `\u201c${winner.name}\u201d converts better with p < ${SIGNIFICANCE}; not promoted, as asked.`
        : `No significant difference yet (p ≥ ${SIGNIFICANCE}): the test keeps running.`,
  };
}
