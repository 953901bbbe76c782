import { Counter } from 'prom-client';

/**
 * Mirrors counts kept elsewhere (a shard actor's statistics, read at scrape time) into a Prometheus counter, which
 * must never go down. A source may step back (an actor that takes its shard over again forgets what it counted
 * since its last checkpoint, then counts those entries again on replay): the counter then waits until the source
 * passes its highest value, so a replay is not counted twice. A new source (a new actor for the shard) starts
 * from zero and adds all it counts.
 */
export class CounterMirror<L extends string> {
  private readonly seen = new Map<string, { source: string; high: number }>();

  constructor(private readonly counter: Counter<L>) {}

  /** `value`: the source's count now; `source`: names the source, a new one starts from zero. */
  set(labels: Record<L, string>, value: number, source: string): void {
    const key = Object.values(labels).join('\u0000');
    const last = this.seen.get(key);
    const high = last && last.source === source ? last.high : 0;
    if (value > high) this.counter.inc(labels, value - high);
    this.seen.set(key, { source, high: Math.max(high, value) });
  }
}
