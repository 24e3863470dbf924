// Twilio's Messages API for tests (https://www.twilio.com/docs/messaging/api/message-resource): a
// local HTTP server on the real paths and wire format, so Recoup's own client code runs.
//   POST /2010-04-01/Accounts/{Sid}/Messages.json  form-encoded To, From | MessagingServiceSid, Body;
//        HTTP basic auth Sid:AuthToken; 201 with the message's JSON (sid SM…, status "queued").
//   GET  /2010-04-01/Accounts/{Sid}/Messages.json  ?To, ?From, ?DateSent, ?DateSent<, ?DateSent>, ?PageSize: newest first.
//   Errors as Twilio answers them: {code, message, more_info, status}; 21211 for an invalid To.
//   const twilio = await startTwilioServer();
//   process.env.TWILIO_API_URL = twilio.url; TWILIO_ACCOUNT_SID = twilio.accountSid; …
import { randomBytes } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TwilioMessage {
  sid: string;
  account_sid: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: "outbound-api";
  num_segments: string;
  price: string | null;
  price_unit: string;
  error_code: number | null;
  error_message: string | null;
  api_version: "2010-04-01";
  uri: string;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  /** Every message created, in order. */
  messages: TwilioMessage[];
  /** Every request, with its method, path and whether its credentials were right. */
  requests: Array<{ method: string; path: string; authorised: boolean; form: Record<string, string> }>;
  /** The next `count` creations answer 500 without creating anything. */
  failNext(count?: number): void;
  /** The next creation creates the message, then the connection is cut before the answer: the client cannot know it was created. */
  dropNextAnswer(): void;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{7,14}$/;

function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

function twilioError(res: ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

/** A `DateSent` filter value: YYYY-MM-DD (the day, UTC) or an ISO date-time. */
function dateOf(value: string): { day: string | null; at: Date } {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? { day: value, at: new Date(`${value}T00:00:00Z`) } : { day: null, at: new Date(value) };
}

export async function startTwilioServer(): Promise<FakeTwilio> {
  const accountSid = `AC${randomBytes(16).toString("hex")}`;
  const authToken = randomBytes(16).toString("hex");
  const messages: TwilioMessage[] = [];
  const requests: FakeTwilio["requests"] = [];
  let failures = 0;
  let dropNext = false;
  const sockets = new Set<import("node:net").Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
      const authorised = req.headers.authorization === expected;
      requests.push({ method: req.method ?? "", path: url.pathname, authorised, form });
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
      if (!match) return twilioError(res, 404, 20404, "The requested resource was not found");
      if (!authorised || match[1] !== accountSid) return twilioError(res, 401, 20003, "Authenticate");

      if (req.method === "GET") {
        const q = url.searchParams;
        let list = [...messages].reverse();
        if (q.get("To")) list = list.filter((m) => m.to === q.get("To"));
        if (q.get("From")) list = list.filter((m) => m.from === q.get("From"));
        const sentAt = (m: TwilioMessage) => (m.date_sent ? new Date(m.date_sent) : null);
        for (const [param, keep] of [
          ["DateSent", (d: Date, f: ReturnType<typeof dateOf>) => (f.day ? d.toISOString().slice(0, 10) === f.day : d.getTime() === f.at.getTime())],
          ["DateSent>", (d: Date, f: ReturnType<typeof dateOf>) => d >= f.at],
          ["DateSent<", (d: Date, f: ReturnType<typeof dateOf>) => d <= f.at],
        ] as const) {
          const value = q.get(param);
          if (value) list = list.filter((m) => sentAt(m) !== null && keep(sentAt(m)!, dateOf(value)));
        }
        const size = Math.min(1000, Number(q.get("PageSize") ?? 50));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ messages: list.slice(0, size), page: 0, page_size: size, first_page_uri: url.pathname, next_page_uri: null, previous_page_uri: null, uri: url.pathname + url.search, start: 0, end: Math.min(size, list.length) - 1 }));
        return;
      }
      if (req.method !== "POST") return twilioError(res, 405, 20004, "Method not allowed");
      if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) return twilioError(res, 400, 20001, "Content-Type must be application/x-www-form-urlencoded");
      if (failures > 0) {
        failures -= 1;
        return twilioError(res, 500, 20500, "Internal Server Error");
      }
      if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!E164.test(form.To)) return twilioError(res, 400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
      if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (!form.Body) return twilioError(res, 400, 21602, "Message body is required.");
      const created = new Date();
      const sid = `SM${randomBytes(16).toString("hex")}`;
      const message: TwilioMessage = {
        sid,
        account_sid: accountSid,
        to: form.To,
        from: form.From ?? null,
        messaging_service_sid: form.MessagingServiceSid ?? null,
        body: form.Body,
        status: "queued",
        date_created: rfc2822(created),
        // Sent at once in this fake: DateSent filters find it.
        date_sent: rfc2822(created),
        date_updated: rfc2822(created),
        direction: "outbound-api",
        num_segments: "1",
        price: null,
        price_unit: "USD",
        error_code: null,
        error_message: null,
        api_version: "2010-04-01",
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      };
      messages.push(message);
      if (dropNext) {
        dropNext = false;
        req.socket.destroy();
        return;
      }
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify(message));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accountSid,
    authToken,
    messages,
    requests,
    failNext: (count = 1) => {
      failures = count;
    },
    dropNextAnswer: () => {
      dropNext = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
