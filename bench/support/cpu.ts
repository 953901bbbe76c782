// CPU time of the processes in a run (Linux /proc), so a bench can say which process a phase's work went to:
// e.g. "ingest used 0.95 cores, redis 0.4, the load generator 0.5" on a 2-core box points at the app.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc reports CPU time in clock ticks of 1/100 s on every Linux build we run on. */
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU seconds used so far by process `pid`; for this process also by its children that have ended
 * (e.g. a wrk run), which no longer show in /proc.
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm)": state ppid ... utime(12th) stime(13th) cutime cstime; comm may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  const children = pid === process.pid ? Number(fields[13]) + Number(fields[14]) : 0;
  return (own + children) / TICKS_PER_SECOND;
}

export interface CpuShare {
  name: string;
  /** CPU seconds used during the phase. */
  seconds: number;
  /** seconds / wall seconds: 1.0 is one core busy all the time. */
  cores: number;
}

/** Measures the CPU each named process used while `phase` ran (`measure`: its CPU seconds so far). */
export async function withCpu<T>(
  pids: Record<string, number>,
  phase: () => Promise<T>,
  measure: (pid: number) => number = cpuSeconds,
): Promise<{ value: T; shares: CpuShare[]; wallSeconds: number }> {
  const before = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, measure(pid)]));
  const t0 = performance.now();
  const value = await phase();
  const wallSeconds = (performance.now() - t0) / 1000;
  const shares = Object.entries(pids).map(([name, pid]) => {
    const seconds = measure(pid) - before[name];
    return { name, seconds, cores: seconds / wallSeconds };
  });
  return { value, shares, wallSeconds };
}

/**
 * "ingest 0.93 cores (180 µs/click), redis 0.41 (...)": with `units` (the work done, e.g. clicks accepted) also the
 * CPU time per unit, which stays comparable when a busy machine gives the processes less CPU than they could use.
 */
export function describeCpu(shares: readonly CpuShare[], units?: number, unit = 'event'): string {
  return shares
    .map((s, i) => {
      const per = units ? ` (${((s.seconds * 1e6) / units).toFixed(0)} µs/${unit})` : '';
      return `${s.name} ${s.cores.toFixed(2)}${i === 0 ? ' cores' : ''}${per}`;
    })
    .join(', ');
}

/** Child process ids of `pid` (Linux /proc; every thread's list, as children may be started from any thread). */
function childPids(pid: number): number[] {
  const kids: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) kids.push(...text.split(' ').map(Number));
    }
  } catch {
    // the process is gone
  }
  return kids;
}

/** CPU seconds of `pid` and all its live descendants, e.g. a node:cluster primary and its workers. */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    try {
      total += cpuSeconds(p);
    } catch {
      continue; // exited meanwhile
    }
    if (p !== process.pid) stack.push(...childPids(p));
  }
  return total;
}

/** Like withCpu, but each named process is counted with its descendants (use for apps that fork workers). */
export function withTreeCpu<T>(
  pids: Record<string, number>,
  phase: () => Promise<T>,
): Promise<{ value: T; shares: CpuShare[]; wallSeconds: number }> {
  return withCpu(pids, phase, treeCpuSeconds);
}
