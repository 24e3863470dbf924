// The sequence editor's server side: the sequences it lists, opens and saves (through
// sequences.server.ts), the live preview of a step with sample data, and the test email a
// merchant sends to themselves.
import { randomBytes } from "node:crypto";
import { DateTime } from "luxon";
import { z } from "zod";
import { AppError } from "~/http/errors";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { sendEmail } from "~/utils/email.server";
import { env } from "~/utils/env.server";
import { log } from "~/utils/logger.server";
import { emailBranding, merchantName } from "./messages.server";
import { createSequence, getActiveSequence, sequenceDto, updateSequence } from "./sequences.server";
import { findUnknownPlaceholders, formatMoney, PLACEHOLDERS, renderEmail, type PlaceholderValues, type RenderedEmail } from "./templates";

/** The sequences of a workspace for the editor's list, the one new recoveries follow marked active. */
export async function listSequences(workspaceId: string) {
  const [sequences, active] = await Promise.all([
    db().dunningSequence.findMany({
      where: { workspaceId },
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      include: { _count: { select: { steps: true } } },
    }),
    getActiveSequence(workspaceId),
  ]);
  return sequences.map((s) => ({
    id: s.id,
    name: s.name,
    isEnabled: s.isEnabled,
    isActive: s.id === active?.id,
    stepCount: s._count.steps,
    updatedAt: s.updatedAt.toISOString(),
  }));
}

/** One sequence with its steps, for the editor; another workspace's is not found. */
export async function getSequence(input: { workspaceId: string; sequenceId: string }) {
  const sequence = await db().dunningSequence.findFirst({
    where: { id: input.sequenceId, workspaceId: input.workspaceId },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  if (!sequence) throw new AppError("not_found", "This sequence doesn't exist, or belongs to another workspace.");
  const active = await getActiveSequence(input.workspaceId);
  return { ...sequenceDto(sequence), isActive: active?.id === sequence.id };
}

export const PreviewSchema = z.object({
  subjectTemplate: z
    .string({ error: "Write a subject." })
    .trim()
    .min(1, { error: "Write a subject." })
    .max(300, { error: "Keep the subject under 300 characters." }),
  bodyTemplate: z
    .string({ error: "Write the email's text." })
    .trim()
    .min(1, { error: "Write the email's text." })
    .max(20_000, { error: "Keep the email under 20,000 characters." }),
});

/** Fills a preview: a customer, an amount and a decline that read like a real email. */
export const SAMPLE = {
  customerName: "Jane Doe",
  amountCents: 4900,
  currency: "usd",
  declineReason: "your card has insufficient funds",
  retryInDays: 3,
} as const;

function sampleValues(workspace: { name: string; senderName: string | null; timezone: string }): PlaceholderValues {
  let retryAt = DateTime.fromJSDate(now(), { zone: workspace.timezone });
  if (!retryAt.isValid) retryAt = DateTime.fromJSDate(now(), { zone: "UTC" });
  return {
    customer_name: SAMPLE.customerName,
    amount: formatMoney(SAMPLE.amountCents, SAMPLE.currency),
    currency: SAMPLE.currency.toUpperCase(),
    decline_reason: SAMPLE.declineReason,
    retry_date: retryAt.plus({ days: SAMPLE.retryInDays }).setLocale("en").toFormat("cccc, LLLL d"),
    // A real /recover address that answers "this link has expired": nothing to pay in a preview.
    update_payment_url: `${env().APP_URL}/recover/sample-preview-link`,
    merchant_name: merchantName(workspace),
  };
}

/** What is wrong with a template's placeholders, in the editor's words and naming the placeholder; null when nothing is. */
export function placeholderProblem(template: string, label: string): { message: string; placeholder: string } | null {
  const [unknown] = findUnknownPlaceholders(template);
  if (unknown === undefined) return null;
  const message = unknown.startsWith("{{")
    ? `${label} has "${unknown}" without its closing "}}".`
    : `${label} uses {{${unknown}}}, which isn't a placeholder Recoup can fill. Use one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`;
  return { message, placeholder: unknown };
}

function assertKnownPlaceholders(templates: { subjectTemplate: string; bodyTemplate: string }) {
  for (const [field, label] of [
    ["subjectTemplate", "The subject"],
    ["bodyTemplate", "The email text"],
  ] as const) {
    const problem = placeholderProblem(templates[field], label);
    if (problem) throw new AppError("unknown_placeholder", problem.message, { placeholder: problem.placeholder, field, errors: [{ path: field, message: problem.message }] });
  }
}

const MAX_DELAY_HOURS = 24 * 365;

/** The editor's sequence as it saves it: every step whole, in order; a step without an id is new. */
export const SequenceDraftSchema = z
  .object({
    name: z.string({ error: "Name the sequence." }).trim().min(1, { error: "Name the sequence." }).max(200, { error: "Keep the name under 200 characters." }),
    isEnabled: z.boolean(),
    steps: z
      .array(
        z.object({
          id: z.string().min(1).optional(),
          delayHours: z
            .number({ error: "Enter when to send this email." })
            .int({ error: "Enter whole days and hours." })
            .min(0, { error: "Enter when to send this email." })
            .max(MAX_DELAY_HOURS, { error: "Send each email within a year of the failed payment." }),
          subjectTemplate: PreviewSchema.shape.subjectTemplate,
          bodyTemplate: PreviewSchema.shape.bodyTemplate,
        }),
      )
      .min(1, { error: "A sequence needs at least one email." })
      .max(20, { error: "A sequence can have at most 20 emails." }),
  })
  .superRefine((draft, ctx) => {
    draft.steps.forEach((step, i) => {
      for (const [field, label] of [
        ["subjectTemplate", `Email ${i + 1}'s subject`],
        ["bodyTemplate", `Email ${i + 1}'s text`],
      ] as const) {
        const problem = placeholderProblem(step[field], label);
        if (problem) ctx.addIssue({ code: "custom", path: ["steps", i, field], message: problem.message });
      }
    });
  });

export type SequenceDraft = z.infer<typeof SequenceDraftSchema>;

/** Creates (sequenceId null) or replaces a sequence from the editor; returns it as the editor opens it. */
export async function saveSequenceDraft(input: { workspaceId: string; sequenceId: string | null; draft: SequenceDraft }) {
  const draft = SequenceDraftSchema.parse(input.draft);
  const { workspaceId } = input;
  if (!input.sequenceId) {
    const created = await createSequence({ workspaceId, ...draft, steps: draft.steps.map(({ id: _id, ...step }) => step) });
    return getSequence({ workspaceId, sequenceId: created.id });
  }
  try {
    await updateSequence({ workspaceId, sequenceId: input.sequenceId, patch: draft });
  } catch (error) {
    // A step id we don't know: the sequence changed in another tab since this page loaded.
    if (error instanceof AppError && error.code === "validation_failed") {
      throw new AppError("conflict", "This sequence was changed somewhere else while you were editing. Reload the page to get the latest version.");
    }
    throw error;
  }
  return getSequence({ workspaceId, sequenceId: input.sequenceId });
}

async function workspaceFor(workspaceId: string) {
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId } });
  if (!workspace) throw new AppError("not_found", "No such workspace.");
  return workspace;
}

/** A step rendered as the customer would get it, with sample data and the workspace's name, colour and logo. */
export async function previewSequenceStep(input: { workspaceId: string; subjectTemplate: string; bodyTemplate: string }): Promise<RenderedEmail> {
  const templates = PreviewSchema.parse(input);
  assertKnownPlaceholders(templates);
  const workspace = await workspaceFor(input.workspaceId);
  return renderEmail({
    subject: templates.subjectTemplate,
    body: templates.bodyTemplate,
    values: sampleValues(workspace),
    branding: emailBranding(workspace),
  });
}

export const TEST_SUBJECT_PREFIX = "[Test] ";

/**
 * Sends the preview to the signed-in merchant, From and Reply-To as a real dunning email. Without
 * SMTP_URL nothing leaves the machine (transport "outbox") and the caller says so.
 */
export async function sendTestEmail(input: { workspaceId: string; userId: string; subjectTemplate: string; bodyTemplate: string }) {
  const email = await previewSequenceStep(input);
  const membership = await db().membership.findUnique({
    where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } },
    include: { user: true, workspace: true },
  });
  if (!membership) throw new AppError("forbidden", "You are not a member of this workspace.");
  const to = membership.user.email;
  if (!to) throw new AppError("validation_failed", "Your account has no email address, so there is nowhere to send the test.");
  try {
    const receipt = await sendEmail({
      to,
      subject: `${TEST_SUBJECT_PREFIX}${email.subject}`,
      text: email.text,
      html: email.html,
      messageId: `<test-${randomBytes(12).toString("hex")}@recoup>`,
      fromName: merchantName(membership.workspace),
      replyTo: membership.workspace.replyTo,
    });
    return { to, transport: receipt.transport };
  } catch (error) {
    log.warn("sending a test email failed", { error });
    throw new AppError("upstream_error", `The test email to ${to} couldn't be sent: the mail server didn't accept it. Try again in a minute.`);
  }
}
