// A merchant's webhook endpoint for tests: a local HTTP server that checks Recoup-Signature with the
// endpoint's signing secret (as a receiver would, with the pure verifier from the docs) and records
// what it got. `failNext(n, status)` answers the next n requests with that status instead.
//   const receiver = await startWebhookReceiver();
//   … create the endpoint with receiver.url, then receiver.secret = created.signing_secret
//   const event = await receiver.waitFor((e) => e.type === "payment.retry_due");
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { verifySignature } from "~/domain/webhooks/signing";

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: Record<string, unknown> & { id: string; type: string; data: Record<string, unknown> };
  signatureValid: boolean;
  /** What the receiver answered. */
  status: number;
}

export interface FakeWebhookReceiver {
  url: string;
  /** The signing secret to verify with; until set, every signature counts as invalid. */
  secret: string | null;
  /** Every request, in order of arrival (failed ones included). */
  requests: ReceivedWebhook[];
  /** Requests answered 2xx with a valid signature. */
  accepted(): ReceivedWebhook[];
  waitFor(predicate: (w: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<FakeWebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  let failures = 0;
  let failStatus = 500;
  const receiver: FakeWebhookReceiver = {
    url: "",
    secret: null,
    requests,
    accepted: () => requests.filter((r) => r.signatureValid && r.status < 300),
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = requests.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no webhook matched within ${timeoutMs} ms (got ${requests.length})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    failNext(count, status = 500) {
      failures = count;
      failStatus = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const signatureValid = receiver.secret !== null && verifySignature({ secret: receiver.secret, header: req.headers["recoup-signature"] as string | undefined, body: rawBody });
      let status = signatureValid ? 200 : 400;
      if (failures > 0) {
        failures -= 1;
        status = failStatus;
      }
      let body: ReceivedWebhook["body"];
      try {
        body = JSON.parse(rawBody) as ReceivedWebhook["body"];
      } catch {
        body = { id: "", type: "", data: {} };
      }
      requests.push({ headers: req.headers, rawBody, body, signatureValid, status });
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
