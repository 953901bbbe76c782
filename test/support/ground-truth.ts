import { Pool } from 'pg';
import { createPgPool } from '@clicks/store';
import { eventually, postJson } from './test-env';

const MIN = 60_000;

/**
 * Posts clicks to a real ingest endpoint at a steady pace and remembers every one answered 202: the ground truth
 * that QuestDB must equal exactly. A click that failed is retried with the same event id.
 */
export class ClickProducer {
  readonly truth = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | null = null;
  sent = 0;

  constructor(
    private readonly ingestUrl: string,
    private readonly run: string,
    private readonly ads: string[],
    private readonly perTick = 20,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.produce();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async produce(): Promise<void> {
    while (this.running) {
      const batch = Array.from({ length: this.perTick }, () => this.next());
      await Promise.all(batch.map((c) => this.send(c)));
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private readonly history: { eventId: string; adId: string; timestamp: number; country: string }[] = [];

  private next() {
    const n = this.sent++;
    const adId = this.ads[n % this.ads.length];
    const click = { eventId: `${this.run}-${n}`, adId, timestamp: Date.now(), country: n % 3 ? 'DE' : 'US' };
    this.history.push(click);
    return click;
  }

  /** The n-th click exactly as it was first sent (a client retry). */
  resend(n: number) {
    return this.history[n];
  }

  private async send(click: { eventId: string; adId: string; timestamp: number }): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const r = await postJson(`${this.ingestUrl}/v1/clicks`, click).catch(() => null);
      if (r?.status === 202) {
        // Event ids are unique per producer: a duplicate here means an earlier attempt that was answered 503 (e.g.
        // a timeout, or too few replicas acknowledged it) stored the click after all. Stored once either way.
        const key = `${click.adId}|${Math.floor(click.timestamp / MIN) * MIN}`;
        this.truth.set(key, (this.truth.get(key) ?? 0) + 1);
        return;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`click ${click.eventId} was never accepted`);
  }
}

/** Reads (ad, minute) -> clicks summed over countries and shards, for the ads of one test run. */
export async function questDbCounts(pgUrl: string, run: string): Promise<Map<string, number>> {
  const pool: Pool = createPgPool(pgUrl, 1);
  try {
    const res = await pool.query<{ ad_id: string; ts: number; clicks: number }>(
      `SELECT ad_id, ts, sum(clicks) AS clicks FROM ad_clicks_1m WHERE ad_id LIKE $1 ORDER BY ad_id, ts`,
      [`${run}%`],
    );
    return new Map(res.rows.map((r) => [`${r.ad_id}|${r.ts}`, Number(r.clicks)]));
  } finally {
    await pool.end();
  }
}

export function sortedEntries(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * Waits until QuestDB's (ad, minute) counts of the run equal the producer's ground truth; returns both, the counts
 * as last read, so the caller's `expect(counts).toEqual(expected)` shows the difference when they never matched.
 */
export async function settledCounts(
  pgUrl: string,
  run: string,
  producer: ClickProducer,
  timeoutMs = 45000,
): Promise<{ counts: [string, number][]; expected: [string, number][] }> {
  const expected = sortedEntries(producer.truth);
  const read = async () => sortedEntries(await questDbCounts(pgUrl, run));
  const same = (actual: [string, number][]) => JSON.stringify(actual) === JSON.stringify(expected);
  const counts = await eventually(read, same, timeoutMs).catch(read);
  return { counts, expected };
}
