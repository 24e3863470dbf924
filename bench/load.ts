// The load generator, forked by bench/run.ts. It runs in its own process so that building and
// parsing requests does not take turns with the server on one event loop. One client for every
// scenario: keep-alive HTTP/1.1 on raw sockets, one request in flight per connection, requests
// written from prepared bytes and answers parsed no further than status, length and (for the
// intake) the JSON body: a few µs of CPU per request, so that the generator is never what limits
// a scenario. The durable-insert baseline runs here too, with node-postgres clients.
import net from "node:net";
import pg from "pg";
import { signedEvents } from "./events";

export interface LoadJob {
  /** The webhook endpoint, or (for `insert`) the database. */
  url: string;
  connections: number;
  /** Seconds measured, after `warmup` seconds that are not. */
  duration: number;
  warmup: number;
  /**
   * "fresh": a new signed invoice.payment_failed per request; "fixed": this exact request every time;
   * "insert": single-row inserts of `payload` into `table`, each its own durable transaction.
   */
  send: HttpSend | InsertSend;
}

type HttpSend = { fresh: { secret: string } } | { fixed: { rawBody: string; signature: string } };
type InsertSend = { insert: { table: string; payload: string } };

export interface LoadResult {
  reqPerSec: number;
  /** Latency in ms, measured part only. */
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

interface Outgoing {
  id: string | null;
  bytes: Buffer | string;
}

/** Counts and latencies; `measuring` flips after the warm-up. */
class Tally {
  measuring = false;
  latencies: number[] = [];
  answers = 0;
  measured = 0;
  non2xx = 0;
  errors = 0;
  readonly sent = new Set<string>();
  readonly answered = new Set<string>();
  readonly stored = new Set<string>();
  duplicates = 0;

  record(ms: number, ok: boolean) {
    this.answers += 1;
    if (!this.measuring) return;
    this.measured += 1;
    this.latencies.push(ms);
    if (!ok) this.non2xx += 1;
  }

  result(seconds: number, cpuSeconds: number): LoadResult {
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10 : 0);
    return {
      reqPerSec: this.measured / seconds,
      p50: at(0.5),
      p99: at(0.99),
      total: this.measured,
      answers: this.answers,
      non2xx: this.non2xx,
      errors: this.errors,
      sent: [...this.sent],
      answered: [...this.answered],
      stored: [...this.stored],
      duplicates: this.duplicates,
      cpuSeconds,
    };
  }
}

function requests(job: LoadJob & { send: HttpSend }): () => Outgoing {
  const url = new URL(job.url);
  const head = (signature: string, length: number) =>
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nStripe-Signature: ${signature}\r\nContent-Length: ${length}\r\n\r\n`;
  if ("fixed" in job.send) {
    const { rawBody, signature } = job.send.fixed;
    const bytes = Buffer.from(head(signature, Buffer.byteLength(rawBody)) + rawBody);
    return () => ({ id: null, bytes });
  }
  const next = signedEvents(job.send.fresh.secret);
  return () => {
    const event = next();
    return { id: event.id, bytes: head(event.signature, Buffer.byteLength(event.rawBody)) + event.rawBody };
  };
}

/** One keep-alive connection: write a request, read its whole answer, write the next. */
function connection(port: number, host: string, next: () => Outgoing, tally: Tally, running: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    let current: Outgoing | null = null;
    let started = 0;
    const send = () => {
      if (!running()) return socket.end();
      current = next();
      if (current.id) tally.sent.add(current.id);
      started = performance.now();
      socket.write(current.bytes);
    };
    socket.on("connect", send);
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      const answer = parseAnswer(buffer);
      if (!answer) return;
      buffer = buffer.subarray(answer.length);
      const ok = answer.status >= 200 && answer.status <= 299;
      tally.record(performance.now() - started, ok);
      if (current?.id) {
        tally.answered.add(current.id);
        if (ok) {
          const body = JSON.parse(answer.body.toString("utf8")) as { eventId?: string; duplicate?: boolean };
          if (body.duplicate === true) tally.duplicates += 1;
          else if (body.duplicate === false && body.eventId) tally.stored.add(body.eventId);
        }
      }
      send();
    });
    socket.on("error", () => {
      tally.errors += 1;
    });
    socket.on("close", () => resolve());
  });
}

/** A whole HTTP/1.1 answer at the start of `buffer` (Content-Length or chunked), or null for "read more". */
function parseAnswer(buffer: Buffer): { status: number; body: Buffer; length: number } | null {
  const headEnd = buffer.indexOf("\r\n\r\n");
  if (headEnd === -1) return null;
  const head = buffer.toString("latin1", 0, headEnd);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length) {
    const end = headEnd + 4 + Number(length[1]);
    return buffer.length < end ? null : { status, body: buffer.subarray(headEnd + 4, end), length: end };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return { status, body: Buffer.alloc(0), length: headEnd + 4 };
  const parts: Buffer[] = [];
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = buffer.indexOf("\r\n", at);
    if (lineEnd === -1) return null;
    const size = parseInt(buffer.toString("latin1", at, lineEnd), 16);
    if (buffer.length < lineEnd + 2 + size + 2) return null;
    if (size === 0) return { status, body: Buffer.concat(parts), length: lineEnd + 4 };
    parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** `connections` clients, each inserting one row per transaction (autocommit: one commit, one WAL flush each). */
async function inserts(job: LoadJob & { send: InsertSend }, tally: Tally, running: () => boolean): Promise<void> {
  const { table, payload } = job.send.insert;
  let n = 0;
  await Promise.all(
    Array.from({ length: job.connections }, async (_, c) => {
      const client = new pg.Client({ connectionString: job.url });
      await client.connect();
      try {
        while (running()) {
          const started = performance.now();
          try {
            await client.query(`INSERT INTO ${table} (id, payload) VALUES ($1, $2)`, [`${c}-${n++}`, payload]);
            tally.record(performance.now() - started, true);
          } catch {
            tally.errors += 1;
          }
        }
      } finally {
        await client.end();
      }
    }),
  );
}

async function run(job: LoadJob): Promise<LoadResult> {
  const tally = new Tally();
  const cpuBefore = process.cpuUsage();
  let stopped = false;
  const running = () => !stopped;
  let measuredFrom = 0;
  const warm = setTimeout(() => {
    tally.measuring = true;
    measuredFrom = performance.now();
  }, job.warmup * 1000);
  const stop = setTimeout(() => (stopped = true), (job.warmup + job.duration) * 1000);
  if ("insert" in job.send) {
    await inserts(job as LoadJob & { send: InsertSend }, tally, running);
  } else {
    const url = new URL(job.url);
    const next = requests(job as LoadJob & { send: HttpSend });
    await Promise.all(Array.from({ length: job.connections }, () => connection(Number(url.port), url.hostname, next, tally, running)));
  }
  const measuredSeconds = (performance.now() - measuredFrom) / 1000;
  clearTimeout(warm);
  clearTimeout(stop);
  const cpu = process.cpuUsage(cpuBefore);
  // The last answers arrive a little after the stop: the rate is over the time they took.
  return tally.result(Math.max(measuredSeconds, job.duration), (cpu.user + cpu.system) / 1e6);
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
