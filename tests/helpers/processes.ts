import { spawn, type ChildProcess } from "node:child_process";

export interface RunningRecoup {
  child: ChildProcess;
  /** Resolves once `ready` matches the output; rejects if the process exits first or takes too long. */
  seen: Promise<void>;
  exited: Promise<number | string | null>;
  output(): string;
  alive(): boolean;
}

/**
 * `npm start`'s process (`app/bin/start.ts` with `flags`, or one half of it) as the README runs it:
 * any port, no demo data, warnings and errors only. `env` replaces the inherited environment.
 */
export function startRecoup(flags: string[], ready: RegExp, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunningRecoup {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, ["--import", "tsx", "app/bin/start.ts", ...flags], {
    env: { ...(opts.env ?? process.env), PORT: "0", SEED_DEMO: "false", LOG_LEVEL: "warn", NODE_ENV: "development" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let exitCode: number | string | null | undefined;
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => {
      exitCode = code ?? signal;
      resolve(exitCode);
    }),
  );
  const seen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited early (${code}):\n${output}`)));
  });
  return { child, seen, exited, output: () => output, alive: () => exitCode === undefined };
}
