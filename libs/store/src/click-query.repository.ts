import { Pool } from 'pg';
import { ClickFilter, minuteTotalsSql, SqlQuery, topAdsSql } from './click-query-sql';

export interface MinuteTotal {
  ts: number;
  clicks: number;
}

export interface AdTotal {
  adId: string;
  clicks: number;
}

/** Reads click counts over the Postgres wire, always with bind parameters (see click-query-sql.ts). */
export class ClickQueryRepository {
  constructor(private readonly pool: Pool) {}

  /** Clicks of one ad per minute in [from, to), exact under any filter; minutes without clicks absent. */
  async minuteTotals(adId: string, from: number, to: number, filter: ClickFilter = {}): Promise<MinuteTotal[]> {
    const rows = await this.run<{ ts: number; clicks: number }>(minuteTotalsSql(adId, from, to, filter));
    return rows.map((r) => ({ ts: r.ts, clicks: Number(r.clicks) }));
  }

  /** The `n` most clicked ads in [from, to), clicks descending, then ad id ascending. */
  async topAds(from: number, to: number, n: number, filter: ClickFilter = {}): Promise<AdTotal[]> {
    const rows = await this.run<{ ad_id: string; clicks: number }>(topAdsSql(from, to, n, filter));
    return rows.map((r) => ({ adId: r.ad_id, clicks: Number(r.clicks) }));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  private async run<R extends object>(q: SqlQuery): Promise<R[]> {
    return (await this.pool.query<R>(q.text, q.values)).rows;
  }
}
