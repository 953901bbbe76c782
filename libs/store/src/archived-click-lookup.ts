import pLimit from 'p-limit';
import { Pool } from 'pg';
import { TABLES } from './schema';

/** How many look-ups one call runs at once (each reads one timestamp of one hourly partition). */
const CONCURRENCY = 8;

/**
 * Whether the raw archive holds clicks, keyed as it de-duplicates them: event time and event id. Intake asks this for
 * clicks older than the Redis de-dup horizon can vouch for, so a click re-sent days later still counts once.
 */
export class ArchivedClickLookup {
  constructor(private readonly pool: Pool) {}

  async archived(clicks: readonly { ts: number; eventId: string }[]): Promise<boolean[]> {
    const limit = pLimit(CONCURRENCY);
    // `ts = $1` is an interval scan of one timestamp (EXPLAIN: "Interval forward scan"): cheap at any archive size.
    const sql = `SELECT count() n FROM ${TABLES.raw} WHERE ts = $1 AND event_id = $2`;
    return Promise.all(
      clicks.map((c) =>
        limit(
          async () => Number((await this.pool.query<{ n: string }>(sql, [new Date(c.ts), c.eventId])).rows[0]?.n) > 0,
        ),
      ),
    );
  }
}
