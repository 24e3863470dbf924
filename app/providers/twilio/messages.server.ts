// Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource): the only code
// that talks to Twilio. Form-encoded POSTs with HTTP basic auth (Account SID : Auth Token), JSON back.
import { SmsError, type SmsSender } from "~/domain/alerts/sms";
import { env } from "~/utils/env.server";

const TIMEOUT_MS = 10_000;

export interface TwilioConfig {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  from: string | null;
  messagingServiceSid: string | null;
}

/** Null unless the SID, the token and a sender (a number or a Messaging Service) are all set. */
export function twilioConfig(): TwilioConfig | null {
  const e = env();
  if (!e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN || !(e.TWILIO_FROM_NUMBER || e.TWILIO_MESSAGING_SERVICE_SID)) return null;
  return {
    apiUrl: e.TWILIO_API_URL.replace(/\/$/, ""),
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    from: e.TWILIO_FROM_NUMBER ?? null,
    messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID ?? null,
  };
}

/** Twilio refused or could not be reached. `permanent`: sending the same message again cannot help (a 4xx such as an invalid number). */
export class TwilioError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: number | null,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "TwilioError";
  }
}

export interface SentSms {
  sid: string;
  status: string;
  to: string;
  body: string;
  dateCreated: string | null;
}

function messagesUrl(config: TwilioConfig): string {
  return `${config.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
}

async function call(config: TwilioConfig, url: string, init: { method: "GET" | "POST"; form?: URLSearchParams }): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: {
        authorization: `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`,
        accept: "application/json",
        ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: init.form?.toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new TwilioError(`Could not reach Twilio: ${(error as Error).message}`, null, null, false);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const code = typeof body.code === "number" ? body.code : null;
    const message = typeof body.message === "string" ? body.message : `HTTP ${response.status}`;
    // 429 and 5xx pass; 401/403 are configuration to fix, and a 400 is the message itself.
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
    throw new TwilioError(`Twilio refused the message (${response.status}${code ? `, error ${code}` : ""}): ${message}`, response.status, code, permanent);
  }
  return body;
}

function smsOf(body: Record<string, unknown>): SentSms {
  return {
    sid: String(body.sid),
    status: String(body.status ?? ""),
    to: String(body.to ?? ""),
    body: String(body.body ?? ""),
    dateCreated: typeof body.date_created === "string" ? body.date_created : null,
  };
}

/** Creates one message to an E.164 number. */
export async function sendSms(config: TwilioConfig, input: { to: string; body: string }): Promise<SentSms> {
  const form = new URLSearchParams({ To: input.to, Body: input.body });
  if (config.messagingServiceSid) form.set("MessagingServiceSid", config.messagingServiceSid);
  else form.set("From", config.from!);
  return smsOf(await call(config, messagesUrl(config), { method: "POST", form }));
}

/**
 * The newest messages to a number (at most 100), to find one we may have created before a crash. Not
 * filtered by `DateSent`: a message still queued has no date_sent yet.
 */
export async function recentSmsTo(config: TwilioConfig, to: string): Promise<SentSms[]> {
  const url = `${messagesUrl(config)}?${new URLSearchParams({ To: to, PageSize: "100" }).toString()}`;
  const body = await call(config, url, { method: "GET" });
  return Array.isArray(body.messages) ? (body.messages as Array<Record<string, unknown>>).map(smsOf) : [];
}

/** Twilio as the alerts' SMS port (registered in app/wiring.server.ts). */
export const twilioSms: SmsSender = {
  notConfigured: () =>
    twilioConfig() ? null : "SMS is not configured on this server: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID).",
  async send(input) {
    try {
      return { id: (await sendSms(requireConfig(), input)).sid };
    } catch (error) {
      throw asSmsError(error);
    }
  },
  async findSent(input) {
    try {
      const found = (await recentSmsTo(requireConfig(), input.to)).find((m) => m.body === input.body);
      return found ? { id: found.sid } : null;
    } catch (error) {
      throw asSmsError(error);
    }
  },
};

function requireConfig(): TwilioConfig {
  const config = twilioConfig();
  if (!config) throw new SmsError(twilioSms.notConfigured()!, true);
  return config;
}

function asSmsError(error: unknown): Error {
  if (error instanceof TwilioError) return new SmsError(error.message, error.permanent);
  return error as Error;
}
