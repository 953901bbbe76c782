// What a run's numbers depend on besides the code. The same commit measured 35-41K clicks/s end to end on one VM and
// 75K on another with the same core count, so a report names the CPU, how much time the hypervisor took away (steal)
// and how fast one core runs a fixed JSON workload, which is most of what our processes do per click.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Node version, cores and CPU model. */
export const machineLine = () =>
  `Node ${process.version}, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`;

/** How busy the machine already was: its load average over 1, 5 and 15 minutes. */
export const loadLine = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');

interface CpuTimes {
  steal: number;
  total: number;
}

/** The machine's CPU time so far from /proc/stat (jiffies); null where there is no /proc. */
function cpuTimes(): CpuTimes | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user and nice]
    return { steal: fields[7] ?? 0, total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Starts measuring steal: the returned function tells the share of CPU time the hypervisor took since. */
export function stealMeter(): () => string {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    if (!start || !end || end.total === start.total) return 'steal unknown';
    return `steal ${((100 * (end.steal - start.steal)) / (end.total - start.total)).toFixed(1)} %`;
  };
}

/**
 * Microseconds one core takes to JSON.stringify and JSON.parse a fixed set of 200,000 click objects, best of three: a
 * yardstick to compare runs made on different machines (lower is faster).
 */
export function calibrationLine(): string {
  const clicks = Array.from({ length: 200_000 }, (_, i) => ({
    eventId: `cal-${i}`,
    adId: `ad-${i % 10_000}`,
    ts: 1_764_000_000_000 + i,
    country: 'US',
  }));
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let n = 0;
    for (const c of clicks) n += (JSON.parse(JSON.stringify(c)) as { ts: number }).ts & 1;
    best = Math.min(best, ((performance.now() - t0) * 1000) / clicks.length);
    if (n < 0) throw new Error('unreachable: keeps the parsed values in use');
  }
  return `one core: ${best.toFixed(2)} µs per click to JSON-encode and parse`;
}
