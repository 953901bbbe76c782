// Output of the benchmarks: check lines while running (stderr), one markdown table at the end (stdout).
export interface Row {
  metric: string;
  measured: string;
  target: string;
  /** Whether the target is met; undefined when the row has no target. */
  met?: boolean;
}

export class BenchReport {
  private readonly rows: Row[] = [];
  private readonly checks: string[] = [];
  private failedChecks = 0;

  add(metric: string, measured: string, target = '', met?: boolean): void {
    this.rows.push({ metric, measured, target, met });
  }

  /** A correctness check (e.g. stream entries == accepted clicks): printed now and listed under the table. */
  check(what: string, ok: boolean, detail: string): void {
    const line = `${ok ? 'OK  ' : 'FAIL'} ${what}: ${detail}`;
    if (!ok) this.failedChecks++;
    this.checks.push(line);
    console.error(`[check] ${line}`);
  }

  get failed(): number {
    return this.failedChecks;
  }

  print(title: string): void {
    const lines = [`\n${title}\n`, '| metric | measured | target | met |', '| --- | --- | --- | --- |'];
    for (const r of this.rows) {
      const met = r.met === undefined ? '' : r.met ? 'yes' : 'no';
      lines.push(`| ${r.metric} | ${r.measured} | ${r.target} | ${met} |`);
    }
    lines.push('', 'Checks:', '', ...this.checks.map((c) => `- ${c}`));
    console.log(lines.join('\n'));
  }
}

export const log = (msg: string) => console.error(`[bench] ${msg}`);

/** Runs a benchmark's main and exits 1 if it threw or any of its checks failed. */
export function runBench(main: () => Promise<number>): void {
  main()
    .then((failed) => process.exit(failed > 0 ? 1 : 0))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}

/** The p-quantile (0..1) of already sorted values, nearest rank. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

/** `--quick` on the command line or BENCH_QUICK=1: a smaller run. */
export const isQuick = () => process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** A numeric knob from the environment (e.g. BENCH_SINGLE_REQUESTS), else the default. */
export function knob(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${v}"`);
  return n;
}
