// CPU time from /proc (Linux), to tell where a scenario's time went: app, PostgreSQL, client or someone else.
import { readdirSync, readFileSync } from "node:fs";

const USER_HZ = 100;

/** utime + stime + (cutime + cstime when `children`) of a /proc stat line, in ticks. */
function ticksOf(stat: string, children: boolean): number {
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number); // f[0] is field 3 in proc(5)
  return f[11] + f[12] + (children ? f[13] + f[14] : 0);
}

/** CPU seconds of this process's main thread: the one that runs JavaScript (V8 also works on helper threads). */
export function mainThreadCpu(): number {
  return ticksOf(readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8"), false) / USER_HZ;
}

/** CPU seconds (user + system) another process has used so far; 0 once it has exited. */
export function processCpu(pid: number | undefined): number {
  try {
    return ticksOf(readFileSync(`/proc/${pid}/stat`, "utf8"), false) / USER_HZ;
  } catch {
    return 0;
  }
}

/** CPU seconds of one PostgreSQL server and its backends (those that exited count in the postmaster's cutime). */
export function postgresCpu(postmaster: number | null): number | null {
  if (postmaster === null) return null;
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number(pid) === postmaster || ppid === postmaster) ticks += ticksOf(stat, Number(pid) === postmaster);
  }
  return ticks / USER_HZ;
}

/** CPU seconds every process on the machine has used (the first line of /proc/stat). */
export function machineCpu(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}
