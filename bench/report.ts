// Turns the bench's figures into the generated section of docs/PERFORMANCE.md.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { LoadResult } from "./load";
import type { Steps } from "./steps";

export interface Scenario {
  name: string;
  load: LoadResult;
  /**
   * CPU ms per answered request, warm-up included (postgres is null when its server is not ours to watch),
   * and the cores that everything else on the machine kept busy meanwhile.
   */
  cpu: { app: number; appMainThread: number; postgres: number | null; client: number; others: number };
}

export interface Report {
  cores: number;
  machine: string;
  method: string;
  baseline: Scenario;
  /** Single-row durable inserts by node-postgres clients: what PostgreSQL alone commits. */
  insert: Scenario;
  intake: Scenario;
  redelivery: Scenario;
  steps: Steps;
  check: string;
}

const DOC = "docs/PERFORMANCE.md";

export const STEP_NAMES: Record<keyof Steps, string> = {
  http: "one POST over HTTP, new event (the client in the same process)",
  intake: "intake call, new event: verify, check, group-commit write alone (one transaction on node-postgres: insert, pg-boss insert)",
  prisma: "the same event through the former path: verify, check, Prisma interactive transaction (inbox `receive`)",
  redelivered: "intake call, redelivered event (insert that skips, no job)",
  signature: "signature check and JSON parse alone",
  unstorable: "the NUL / lone-surrogate / depth walk (findUnstorable) alone",
  emptyTransaction: "empty Prisma interactive transaction (BEGIN, SELECT 1, COMMIT)",
  roundTrip: "one PostgreSQL round trip (node-postgres, SELECT 1)",
};

export const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The goal's yardstick: an empty HTTP answer and a durable single-row insert, one after the other. */
export function seriesRate(r: Pick<Report, "baseline" | "insert">): number {
  return 1 / (1 / r.baseline.load.reqPerSec + 1 / r.insert.load.reqPerSec);
}

export function render(r: Report): string {
  const scenarios = [r.baseline, r.insert, r.intake, r.redelivery];
  const series = seriesRate(r);
  const ratio = r.intake.load.reqPerSec / series;
  const othersBusy = Math.max(...scenarios.map((s) => s.cpu.others));
  const disturbed =
    othersBusy > 0.25
      ? `\n\n**Other processes kept up to ${othersBusy.toFixed(2)} of the cores busy during the runs: these figures are low; run again on an idle machine.**`
      : "";
  // CPU ms per request × requests per second = cores kept busy.
  const { cpu, load } = r.intake;
  const cores = (perRequest: number) => (perRequest * load.reqPerSec) / 1000;
  const used = cores(cpu.app) + cores(cpu.postgres ?? 0) + cores(cpu.client) + cpu.others;
  const limit =
    cores(cpu.appMainThread) > 0.85
      ? `the app's JavaScript thread is busy ${(cores(cpu.appMainThread) * 100).toFixed(0)} % of the time: that one thread is the bottleneck, not PostgreSQL (${cores(cpu.postgres ?? 0).toFixed(2)} core)`
      : used > 0.9 * r.cores
        ? `all ${r.cores} cores are busy (app ${cores(cpu.app).toFixed(2)}, PostgreSQL ${cores(cpu.postgres ?? 0).toFixed(2)}, load generator ${cores(cpu.client).toFixed(2)}, other processes ${cpu.others.toFixed(2)}): the machine is the limit`
        : `the app's JavaScript thread is busy only ${(cores(cpu.appMainThread) * 100).toFixed(0)} % of the time and cores are left: requests wait on PostgreSQL's commits`;
  const met = (ok: boolean) => (ok ? "met" : "**not met**");
  return `## Webhook intake (${new Date().toISOString().slice(0, 10)})

Machine: ${r.machine}.

Method: ${r.method}

${table(
  ["scenario", "req/s (mean)", "p50 ms", "p99 ms", "requests", "non-2xx", "socket errors"],
  scenarios.map((s) => [s.name, s.load.reqPerSec.toFixed(0), s.load.p50, s.load.p99, s.load.total, s.load.non2xx, s.load.errors]),
)}

The bar: the empty handler and the durable insert in series answer ${series.toFixed(0)} req/s (1 / (1/${r.baseline.load.reqPerSec.toFixed(0)} + 1/${r.insert.load.reqPerSec.toFixed(0)})); the intake of new events reaches **${(ratio * 100).toFixed(0)} %** of it (goal ≥ 60 %: ${met(ratio >= 0.6)}) with p99 **${r.intake.load.p99} ms** (goal < 25 ms: ${met(r.intake.load.p99 < 25)}). Intake / empty handler alone: ${((r.intake.load.reqPerSec / r.baseline.load.reqPerSec) * 100).toFixed(1)} %.

Where the CPU goes, ms per request (warm-up included), and the cores other processes kept busy meanwhile (ideally 0.00):

${table(
  ["scenario", "app process", "its JavaScript thread", "PostgreSQL", "load generator", "load generator's busy share of its one thread", "other processes (cores)"],
  scenarios.map((s) => [
    s.name,
    ms(s.cpu.app),
    ms(s.cpu.appMainThread),
    s.cpu.postgres === null ? "n/a" : ms(s.cpu.postgres),
    ms(s.cpu.client),
    `${((s.cpu.client * s.load.reqPerSec) / 10).toFixed(0)} %`,
    s.cpu.others.toFixed(2),
  ]),
)}

The load generator is one thread: well under 100 % busy, it is not what limits a scenario.

Where the time goes, one request at a time (no load, mean of each step):

${table(["step", "ms"], Object.entries(STEP_NAMES).map(([key, name]) => [name, ms(r.steps[key as keyof Steps])]))}

Check: ${r.check}

Reading: a new event is verified, stored and enqueued at ${r.intake.load.reqPerSec.toFixed(0)} req/s (p99 ${r.intake.load.p99} ms), ${(ratio * 100).toFixed(0)} % of the ${series.toFixed(0)} req/s of an empty answer plus a durable insert; at ${ms(r.intake.cpu.appMainThread)} ms of CPU per event ${limit}. One at a time (no batch to share), the intake call takes ${ms(r.steps.intake)} ms against ${ms(r.steps.prisma)} ms through the former Prisma transaction.${disturbed}
`;
}

/** Replaces the generated section, keeping whatever was written by hand around it. */
export function writeDoc(section: string): void {
  writeSection("bench", section);
}

/** The same for any named section (`bench`: webhook intake, `bench-api`: the API at scale). */
export function writeSection(name: string, section: string): void {
  const start = `<!-- ${name}:start (generated by \`npm run bench\`; edits between the markers are overwritten) -->`;
  const end = `<!-- ${name}:end -->`;
  const generated = `${start}\n${section.trim()}\n${end}`;
  const current = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Performance\n";
  const from = current.indexOf(`<!-- ${name}:start`);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + generated + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${generated}\n`;
  writeFileSync(DOC, next);
}
