// /api/v1 template preview (LostChurn 57): a dunning sequence step rendered with sample data,
// through the dunning editor's own preview, and the placeholders a template may use.
import { z } from "zod";
import { previewSequenceStep, sampleValues } from "~/domain/dunning/preview.server";
import { PLACEHOLDERS, type Placeholder } from "~/domain/dunning/templates";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

const PLACEHOLDER_HELP: Record<Placeholder, string> = {
  customer_name: "The customer's name (\u201cthere\u201d when unknown).",
  amount: "The amount due with its currency symbol, such as $49.00.",
  currency: "The ISO currency code, such as USD.",
  decline_reason: "Why the payment failed, in plain words.",
  retry_date: "The day Recoup will try the card again, in the workspace's timezone (\u201cwhen you update your card\u201d when no retry is planned).",
  update_payment_url: "The customer's link to update the card; alone in a paragraph it becomes a button.",
  pay_link_url: "A link to pay the amount due now on a pay page (the recovery's pay-link, made on first click); the payment settles the recovery.",
  merchant_name: "The sender name from Settings (else the workspace's name).",
};

export const TemplatePreviewSchema = z
  .object({
    id: z.string().describe("The id asked for: a step id, or a sequence id (then its first step is shown)."),
    step_id: z.string(),
    sequence_id: z.string().describe("The dunning sequence (the API's campaign) the step belongs to."),
    name: z.string().describe("The sequence's name and the step's place in it."),
    position: z.number().int().min(1).describe("The step's place in its sequence, from 1."),
    total_steps: z.number().int().min(1),
    delay_hours: z.number().int().describe("Hours after the payment failed that this email is due."),
    subject: z.string().describe("Rendered subject."),
    html_preview: z.string().describe("Rendered HTML body, with the workspace's branding."),
    text_preview: z.string().describe("Rendered plain-text body."),
    placeholders: z.array(z.string()).describe("Every placeholder a template may use, as written in a template."),
    used_placeholders: z.array(z.string()).describe("The placeholders this step's subject and body use."),
    placeholder_details: z.array(
      z.object({ placeholder: z.string(), description: z.string(), sample_value: z.string().describe("What the preview put in its place.") }),
    ),
  })
  .register(API_SCHEMA_NAMES, { id: "TemplatePreview" });

const written = (p: Placeholder) => `{{${p}}}`;

async function findStep(workspaceId: string, id: string) {
  const steps = { orderBy: [{ position: "asc" as const }, { id: "asc" as const }] };
  const step = await db().dunningStep.findFirst({ where: { id, workspaceId }, include: { sequence: { include: { steps } } } });
  if (step) return { step, sequence: step.sequence };
  const sequence = await db().dunningSequence.findFirst({ where: { id, workspaceId }, include: { steps } });
  if (!sequence) throw new AppError("template_not_found", "No dunning sequence step (or sequence) with this id in this workspace.");
  const first = sequence.steps[0];
  if (!first) throw new AppError("template_not_found", "This sequence has no steps to preview.");
  return { step: first, sequence };
}

export async function previewTemplate(input: { workspaceId: string; id: string }) {
  const { step, sequence } = await findStep(input.workspaceId, input.id);
  const rendered = await previewSequenceStep({ workspaceId: input.workspaceId, subjectTemplate: step.subjectTemplate, bodyTemplate: step.bodyTemplate });
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: input.workspaceId } });
  const samples = sampleValues(workspace);
  const source = `${step.subjectTemplate}\n${step.bodyTemplate}`;
  const position = sequence.steps.findIndex((s) => s.id === step.id) + 1;
  return {
    id: input.id,
    stepId: step.id,
    sequenceId: sequence.id,
    name: `${sequence.name} \u2014 email ${position} of ${sequence.steps.length}`,
    position,
    totalSteps: sequence.steps.length,
    delayHours: step.delayHours,
    subject: rendered.subject,
    htmlPreview: rendered.html,
    textPreview: rendered.text,
    placeholders: PLACEHOLDERS.map(written),
    usedPlaceholders: PLACEHOLDERS.filter((p) => new RegExp(`\\{\\{\\s*${p}\\s*\\}\\}`).test(source)).map(written),
    placeholderDetails: PLACEHOLDERS.map((p) => ({ placeholder: written(p), description: PLACEHOLDER_HELP[p], sampleValue: samples[p] })),
  };
}
