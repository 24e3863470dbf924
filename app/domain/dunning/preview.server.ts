// The sequence editor's server side: the sequences it lists, opens and saves (through
// sequences.server.ts), the live preview of a step with sample data, and the test email a
// merchant sends to themselves.
import { randomBytes } from "node:crypto";
import { DateTime } from "luxon";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { env } from "~/utils/env.server";
import { log } from "~/utils/logger.server";
import { emailBranding, merchantName } from "./messages.server";
import { placeholderProblem, renderEmail, StepTemplatesSchema, type PlaceholderValues, type RenderedEmail } from "./templates";
import { formatMoney } from "~/utils/money";


/** Fills a preview: a customer, an amount and a decline that read like a real email. */
export const SAMPLE = {
  customerName: "Jane Doe",
  amountCents: 4900,
  currency: "usd",
  declineReason: "your card has insufficient funds",
  retryInDays: 3,
} as const;

export function sampleValues(workspace: { name: string; senderName: string | null; timezone: string }): PlaceholderValues {
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
    pay_link_url: `${env().APP_URL}/recover/sample-preview-link/pay`,
    merchant_name: merchantName(workspace),
  };
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

async function workspaceFor(workspaceId: string) {
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId } });
  if (!workspace) throw new AppError("not_found", "No such workspace.");
  return workspace;
}

/** A step rendered as the customer would get it, with sample data and the workspace's name, colour and logo. */
export async function previewSequenceStep(input: { workspaceId: string; subjectTemplate: string; bodyTemplate: string }): Promise<RenderedEmail> {
  const templates = StepTemplatesSchema.parse(input);
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

export type TestRecipient = { to: string | null; source: "member" | "reply_to" | "owner" };

/**
 * Where a test email goes. A signed-in member (the dashboard): their own address. Someone without
 * a Recoup account (a Shopify staff member in the embedded app): the workspace's reply-to address,
 * the inbox customers' replies reach, else the owner's (docs/decisions/0009-…). `to` is null when
 * there is no address to use.
 */
export async function testEmailRecipient(input: { workspaceId: string; userId: string | null }): Promise<TestRecipient> {
  if (input.userId) {
    const membership = await db().membership.findUnique({
      where: { workspaceId_userId: { workspaceId: input.workspaceId, userId: input.userId } },
      include: { user: true },
    });
    if (!membership) throw new AppError("forbidden", "You are not a member of this workspace.");
    return { to: membership.user.email, source: "member" };
  }
  const workspace = await db().workspace.findUnique({ where: { id: input.workspaceId }, include: { owner: true } });
  if (!workspace) throw new AppError("not_found", "No such workspace.");
  if (workspace.replyTo?.trim()) return { to: workspace.replyTo.trim(), source: "reply_to" };
  return { to: workspace.owner.email, source: "owner" };
}

/**
 * Sends the preview to the merchant (see testEmailRecipient), From and Reply-To as a real dunning
 * email. Without SMTP_URL nothing leaves the machine (transport "outbox") and the caller says so.
 */
export async function sendTestEmail(input: { workspaceId: string; userId: string | null; subjectTemplate: string; bodyTemplate: string }) {
  const email = await previewSequenceStep(input);
  const { to, source } = await testEmailRecipient(input);
  if (!to) {
    throw new AppError(
      "validation_failed",
      source === "member"
        ? "Your account has no email address, so there is nowhere to send the test."
        : "There is nowhere to send the test: add a reply-to address in Settings and the test goes there.",
    );
  }
  const workspace = await workspaceFor(input.workspaceId);
  try {
    const receipt = await deliverEmail({
      to,
      subject: `${TEST_SUBJECT_PREFIX}${email.subject}`,
      text: email.text,
      html: email.html,
      messageId: `<test-${randomBytes(12).toString("hex")}@recoup>`,
      fromName: merchantName(workspace),
      replyTo: workspace.replyTo,
    }, { kind: "test_email", workspaceId: input.workspaceId, recipientUserId: input.userId, audience: "members" });
    return { to, transport: receipt.transport };
  } catch (error) {
    log.warn("sending a test email failed", { error });
    throw new AppError("upstream_error", `The test email to ${to} couldn't be sent: the mail server didn't accept it. Try again in a minute.`);
  }
}
