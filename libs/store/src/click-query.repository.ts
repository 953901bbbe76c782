import { Pool } from 'pg';
import { TABLES } from './schema';

export interface MinuteTotal {
  ts: number;
  clicks: number;
}

/** Reads aggregates over the Postgres wire, always with bind parameters. */
export class ClickQueryRepository {
  constructor(private readonly pool: Pool) {}

  /** Clicks of one ad per minute in [from, to), summed over countries and shards; minutes without clicks absent. */
  async minuteTotals(adId: string, from: number, to: number): Promise<MinuteTotal[]> {
    const sql = `SELECT ts, sum(clicks) AS clicks FROM ${TABLES.minuteCounts}
      WHERE ad_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts`;
    const res = await this.pool.query<{ ts: number; clicks: number }>(sql, [adId, new Date(from), new Date(to)]);
    return res.rows.map((r) => ({ ts: r.ts, clicks: Number(r.clicks) }));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
