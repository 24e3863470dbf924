// Email providers' webhooks into the inbox (ADR 0042, ADR 0071): verify with the workspace's secret,
// keep the bounces and complaints (one row per provider event id, its job in the same
// transaction), answer; the `email-event` job then suppresses the addresses, or confirms an SNS
// subscription. Nothing is stored from a delivery that fails its check.
import { z } from "zod";
import { AppError } from "~/domain/errors";
import type { InboxSource } from "~/domain/inbox/inbox.server";
import { receive } from "~/domain/inbox/inbox.server";
import { now } from "~/utils/clock.server";
import type { Prisma } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "~/utils/storable-text";
import type { EmailProviderEvent } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { parsePostmark, parseResend, parseSendGrid, parseSesNotification, type EmailEventPayload, type ParsedEmailEvent } from "./events";
import { emailProviderSecret } from "./provider-webhooks.server";
import { isEmailProvider, type EmailProvider } from "./policy";
import { verifyPostmark, verifySendGrid, verifySvix, type SnsMessage, type Verdict } from "./signatures";
import { confirmSnsSubscription, verifySnsMessage, type CertificateFetcher } from "./sns.server";
import { suppress } from "./suppressions.server";

/** Bounce and complaint webhooks are small; SendGrid batches a few hundred events at most. */
export const MAX_EMAIL_WEBHOOK_BYTES = 512 * 1024;

const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface ReceivedEmailEvent {
  workspaceId: string;
  provider: EmailProvider;
  event: ParsedEmailEvent;
}

export interface EmailWebhookDelivery {
  provider: string;
  workspaceId: string | null;
  headers: Headers;
  rawBody: string;
}

const SnsMessageSchema = z.object({
  Type: z.enum(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]),
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(1000),
  Message: z.string().max(MAX_EMAIL_WEBHOOK_BYTES),
  Timestamp: z.string().max(100),
  SignatureVersion: z.string().max(10),
  Signature: z.string().max(2000),
  SigningCertURL: z.string().max(2000),
  Subject: z.string().max(1000).optional(),
  SubscribeURL: z.string().max(4000).optional(),
  Token: z.string().max(4000).optional(),
});

function parseJson(rawBody: string): unknown {
  // Nothing a provider sends is this deep; the bound keeps a hostile body from every recursive walk.
  if (jsonDepthExceeds(rawBody)) throw new AppError("malformed_event", `The body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new AppError("malformed_event", "The body is not valid JSON.");
  }
}

function refused(provider: EmailProvider, verdict: Verdict): never {
  throw new AppError("invalid_signature", `Not a verified ${provider} webhook for this workspace: ${verdict.ok ? "" : verdict.reason}.`);
}

/** A verified delivery's events, or the refusal (401: nothing is stored). */
async function verifiedEvents(
  provider: EmailProvider,
  workspaceId: string,
  secret: string,
  input: EmailWebhookDelivery,
  deps: { fetchCertificate?: CertificateFetcher; trusted?: (url: string) => boolean },
): Promise<ParsedEmailEvent[]> {
  const { headers, rawBody } = input;
  const at = now();
  switch (provider) {
    case "postmark": {
      const verdict = verifyPostmark({ authorization: headers.get("authorization"), password: secret });
      if (!verdict.ok) refused(provider, verdict);
      return parsePostmark(parseJson(rawBody));
    }
    case "sendgrid": {
      const verdict = verifySendGrid({
        publicKey: secret,
        payload: rawBody,
        signature: headers.get("x-twilio-email-event-webhook-signature"),
        timestamp: headers.get("x-twilio-email-event-webhook-timestamp"),
        at,
      });
      if (!verdict.ok) refused(provider, verdict);
      return parseSendGrid(parseJson(rawBody));
    }
    case "resend": {
      const id = headers.get("svix-id");
      const verdict = verifySvix({ secret, id, timestamp: headers.get("svix-timestamp"), signature: headers.get("svix-signature"), payload: rawBody, at });
      if (!verdict.ok) refused(provider, verdict);
      return parseResend(id!, parseJson(rawBody));
    }
    case "ses": {
      const parsed = SnsMessageSchema.safeParse(parseJson(rawBody));
      if (!parsed.success) throw new AppError("malformed_event", "Not an Amazon SNS message.");
      const message: SnsMessage = parsed.data;
      const verdict = await verifySnsMessage(message, { ...deps, at });
      if (!verdict.ok) refused(provider, verdict);
      // Signed by Amazon is not enough: anyone's topic is. Only this workspace's topic counts.
      if (message.TopicArn !== secret) refused(provider, { ok: false, reason: "the message comes from another SNS topic than this workspace's" });
      if (message.Type === "SubscriptionConfirmation") {
        if (!message.SubscribeURL) throw new AppError("malformed_event", "A SubscriptionConfirmation without a SubscribeURL.");
        return [{ eventKey: message.MessageId, payload: { type: "sns_subscription", topicArn: message.TopicArn, subscribeUrl: message.SubscribeURL } }];
      }
      if (message.Type === "UnsubscribeConfirmation") return [];
      return parseSesNotification(message.MessageId, message.Message);
    }
  }
}

/**
 * One provider delivery (POST /webhooks/email/<provider>?workspace=<id>): verified against the
 * workspace's secret for that provider, then each bounce or complaint into the inbox, once per the
 * provider's event id. A workspace without that provider set up refuses like a bad signature (it
 * says nothing about which workspaces exist). `deps` are the SNS certificate's fetch and trust
 * check, for tests.
 */
export async function receiveEmailWebhook(
  input: EmailWebhookDelivery,
  deps: { fetchCertificate?: CertificateFetcher; trusted?: (url: string) => boolean } = {},
): Promise<{ events: number; duplicates: number }> {
  if (!isEmailProvider(input.provider)) throw new AppError("not_found", `Recoup takes email webhooks from postmark, ses, sendgrid and resend, not "${input.provider.slice(0, 40)}".`);
  const provider = input.provider;
  const workspaceId = input.workspaceId ?? "";
  const secret = WORKSPACE_ID.test(workspaceId) ? await emailProviderSecret(workspaceId, provider) : null;
  if (!secret) throw new AppError("invalid_signature", `No ${provider} webhook is set up for this workspace (?workspace=<id>).`);
  const events = await verifiedEvents(provider, workspaceId, secret, input, deps);
  let duplicates = 0;
  for (const event of events) {
    const stored = await receive(emailEvents, { workspaceId, provider, event });
    if (stored.duplicate) duplicates += 1;
  }
  return { events: events.length, duplicates };
}

/** The inbox's email source: unique per (workspace, provider, event id); a failed run reads `retrying`. */
export const emailEvents: InboxSource<EmailProviderEvent, ReceivedEmailEvent, "emailEventId", Prisma.EmailProviderEventCreateManyInput> = {
  name: "email",
  queue: queues.emailEvent,
  jobField: "emailEventId",
  table: (client) => client.emailProviderEvent,
  idColumn: "id",
  columns: (_tx, input) => ({
    workspaceId: input.workspaceId,
    provider: input.provider,
    eventKey: input.event.eventKey,
    type: input.event.payload.type,
    payload: input.event.payload as unknown as Prisma.InputJsonObject,
    receivedAt: now(),
  }),
  key: (input) => ({ workspaceId: input.workspaceId, provider: input.provider, eventKey: input.event.eventKey }),
  retryingStatus: "retrying",
  async handle(row) {
    const payload = row.payload as unknown as EmailEventPayload;
    if (payload.type === "sns_subscription") {
      await confirmSnsSubscription(payload.subscribeUrl);
      log.info("SNS subscription confirmed", { workspaceId: row.workspaceId, topicArn: payload.topicArn });
      return { status: "processed" };
    }
    let created = 0;
    for (const r of payload.recipients) {
      const result = await suppress({ workspaceId: row.workspaceId, email: r.email, reason: r.reason, source: row.provider as EmailProvider, detail: r.detail });
      if (result.created) created += 1;
    }
    return created ? { status: "processed" } : { status: "ignored", note: "every address was already suppressed" };
  },
};
