import { Pool } from 'pg';
import { SqlQuery } from './click-query-sql';
import { archivedPerMinuteSql, countedPerMinuteSql } from './reconciliation-sql';

/** Per minute start: clicks in the raw archive, and clicks in the minute aggregates. */
export interface ArchivedAndCounted {
  archived: Map<number, number>;
  counted: Map<number, number>;
}

/** Reads what reconciliation compares: the raw archive against the minute aggregates, per minute. */
export class ReconciliationRepository {
  constructor(private readonly pool: Pool) {}

  async perMinute(from: number, to: number, adId?: string): Promise<ArchivedAndCounted> {
    const [archived, counted] = await Promise.all([
      this.minuteMap(archivedPerMinuteSql(from, to, adId)),
      this.minuteMap(countedPerMinuteSql(from, to, adId)),
    ]);
    return { archived, counted };
  }

  private async minuteMap(q: SqlQuery): Promise<Map<number, number>> {
    const rows = (await this.pool.query<{ ts: number; clicks: number }>(q.text, q.values)).rows;
    return new Map(rows.map((r) => [r.ts, Number(r.clicks)]));
  }
}
