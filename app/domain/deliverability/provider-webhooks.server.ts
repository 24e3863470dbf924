// Each workspace's secret for an email provider's webhooks (ADR 0071), encrypted at rest: what
// ./signatures.ts checks a delivery against. Postmark's is ours to make (the basic-auth password
// in the URL given to Postmark); SendGrid's verification key and Resend's signing secret are the
// provider's; for Amazon SES it is the SNS topic ARN the workspace's notifications come through,
// since SNS signs with Amazon's key, which anyone's topic shares.
import { AppError } from "~/domain/errors";
import { decrypt, encrypt, randomToken } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import type { EmailProvider } from "./policy";
import { checkSendGridKey, checkSvixSecret } from "./signatures";

const TOPIC_ARN = /^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** Why this secret cannot be one for the provider, or null. */
function checkSecret(provider: EmailProvider, secret: string): string | null {
  switch (provider) {
    case "postmark":
      return secret.length >= 24 && /^[A-Za-z0-9_-]+$/.test(secret) ? null : "a Postmark secret is at least 24 letters, digits, - or _";
    case "ses":
      return TOPIC_ARN.test(secret) ? null : "give the SNS topic ARN SES notifies (arn:aws:sns:<region>:<account>:<topic>)";
    case "sendgrid":
      return checkSendGridKey(secret);
    case "resend":
      return checkSvixSecret(secret);
  }
}

/** The URL to give the provider (Postmark's with its credentials in it). */
export function emailWebhookUrl(input: { workspaceId: string; provider: EmailProvider; secret?: string }): string {
  const url = new URL(`/webhooks/email/${input.provider}`, env().APP_URL);
  url.searchParams.set("workspace", input.workspaceId);
  if (input.provider === "postmark" && input.secret) {
    url.username = "recoup";
    url.password = input.secret;
  }
  return url.toString();
}

/**
 * Sets (or replaces) the workspace's secret for a provider. Postmark's is generated when none is
 * given. Returns the secret and the webhook URL to configure at the provider.
 */
export async function setEmailProviderSecret(input: { workspaceId: string; provider: EmailProvider; secret?: string }): Promise<{ secret: string; webhookUrl: string }> {
  const secret = input.secret?.trim() || (input.provider === "postmark" ? randomToken(24) : "");
  const problem = secret ? checkSecret(input.provider, secret) : `give the ${input.provider} secret`;
  if (problem) throw new AppError("validation_failed", problem, { errors: [{ path: "secret", message: problem }] });
  const secretEnc = encrypt(secret);
  await db().emailProviderWebhook.upsert({
    where: { workspaceId_provider: { workspaceId: input.workspaceId, provider: input.provider } },
    create: { workspaceId: input.workspaceId, provider: input.provider, secretEnc },
    update: { secretEnc },
  });
  return { secret, webhookUrl: emailWebhookUrl({ workspaceId: input.workspaceId, provider: input.provider, secret }) };
}

/** The workspace's secret for the provider, or null when none is set (or the workspace id is not one). */
export async function emailProviderSecret(workspaceId: string, provider: EmailProvider): Promise<string | null> {
  const row = await db().emailProviderWebhook.findUnique({ where: { workspaceId_provider: { workspaceId, provider } }, select: { secretEnc: true } });
  return row ? decrypt(row.secretEnc) : null;
}
