// The load generator, forked by bench/run.ts. It runs in its own process so that
// building and parsing requests does not take turns with the server on one event loop.
import autocannon, { type Request } from "autocannon";
import { signedEvent } from "./events";

export interface LoadJob {
  url: string;
  connections: number;
  /** Seconds measured, after `warmup` seconds that are not. */
  duration: number;
  warmup: number;
  /** "fresh": a new signed invoice.payment_failed per request; otherwise this exact request every time. */
  send: { fresh: { secret: string } } | { fixed: { rawBody: string; signature: string } };
}

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  total: number;
  /** Answers in the warm-up and the measured run together (what the CPU time was spent on). */
  answers: number;
  non2xx: number;
  errors: number;
  /** Ids built and handed to a connection (warm-up included). */
  sent: string[];
  /** Ids that got any answer. */
  answered: string[];
  /** Ids the server answered 2xx with `duplicate: false`: it says it stored them. */
  stored: string[];
  duplicates: number;
  /** CPU seconds this process spent (user + system). */
  cpuSeconds: number;
}

const WEBHOOK_PATH = "/api/webhooks/stripe";

function request(send: LoadJob["send"], sent: Set<string>): Omit<Request, "onResponse"> {
  if ("fixed" in send) {
    const headers = { "content-type": "application/json", "stripe-signature": send.fixed.signature };
    return { method: "POST", path: WEBHOOK_PATH, headers, body: send.fixed.rawBody };
  }
  const { secret } = send.fresh;
  return {
    method: "POST",
    path: WEBHOOK_PATH,
    setupRequest: (req, context) => {
      const event = signedEvent(secret);
      sent.add(event.id);
      context.eventId = event.id;
      return { ...req, body: event.rawBody, headers: { "content-type": "application/json", "stripe-signature": event.signature } };
    },
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  const sent = new Set<string>();
  const answered = new Set<string>();
  const stored = new Set<string>();
  let duplicates = 0;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    warmup: { connections: job.connections, duration: job.warmup },
    requests: [
      {
        ...request(job.send, sent),
        onResponse: (status, body, context) => {
          if (typeof context.eventId === "string") answered.add(context.eventId);
          if (status < 200 || status > 299) return;
          const answer = JSON.parse(body) as { eventId?: string; duplicate?: boolean };
          if (answer.duplicate === true) duplicates++;
          else if (answer.duplicate === false && answer.eventId) stored.add(answer.eventId);
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    answers: result.requests.total + (result.warmup?.requests.total ?? 0),
    non2xx: result.non2xx,
    errors: result.errors,
    sent: [...sent],
    answered: [...answered],
    stored: [...stored],
    duplicates,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

process.once("message", (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.(result, undefined, {}, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
