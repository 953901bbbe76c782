import { Pool } from 'pg';
import { SqlQuery } from './click-query-sql';
import { isConnectionFailure, QuestDbUnavailableError } from './pg-pool';
import { archivedPerMinuteSql, countedPerMinuteSql, invalidPerMinuteSql } from './reconciliation-sql';
import { TABLES } from './schema';

/** Clicks of one minute (its start) on one shard (`s3`). */
export interface MinuteShardCount {
  minute: number;
  shard: string;
  clicks: number;
}

export interface ArchivedAndCounted {
  /** From the raw archive. */
  archived: MinuteShardCount[];
  /** From the minute aggregates: valid and invalid clicks together (every archived click is one or the other). */
  counted: MinuteShardCount[];
}

/** How far QuestDB has applied a WAL table's committed transactions (rows are visible up to `writerTxn`). */
export interface WalProgress {
  table: string;
  suspended: boolean;
  writerTxn: number;
  sequencerTxn: number;
}

/** Reads what reconciliation compares: the raw archive against the minute aggregates, per minute and shard. */
export class ReconciliationRepository {
  constructor(private readonly pool: Pool) {}

  async perMinuteAndShard(from: number, to: number, adId?: string): Promise<ArchivedAndCounted> {
    const [archived, valid, invalid] = await Promise.all([
      this.counts(archivedPerMinuteSql(from, to, adId)),
      this.counts(countedPerMinuteSql(from, to, adId)),
      this.counts(invalidPerMinuteSql(from, to, adId)),
    ]);
    return { archived, counted: sumByMinuteAndShard(valid, invalid) };
  }

  /** Apply progress of the tables reconciliation reads. */
  async walProgress(): Promise<WalProgress[]> {
    const rows = (
      await this.query<{ name: string; suspended: boolean; writerTxn: number; sequencerTxn: number }>(
        'SELECT name, suspended, writerTxn, sequencerTxn FROM wal_tables()',
      )
    ).rows;
    const wanted = new Set<string>([TABLES.raw, TABLES.minuteCounts, TABLES.invalidMinuteCounts]);
    return rows
      .filter((r) => wanted.has(r.name))
      .map((r) => ({
        table: r.name,
        suspended: r.suspended === true || String(r.suspended) === 'true',
        writerTxn: Number(r.writerTxn),
        sequencerTxn: Number(r.sequencerTxn),
      }));
  }

  private async counts(q: SqlQuery): Promise<MinuteShardCount[]> {
    const rows = (await this.query<{ ts: number; shard: string; clicks: number }>(q.text, q.values)).rows;
    return rows.map((r) => ({ minute: r.ts, shard: r.shard, clicks: Number(r.clicks) }));
  }

  /** A QuestDB that cannot be reached is QuestDbUnavailableError (503 to the caller), not whatever pg threw. */
  private async query<R extends object>(text: string, values: unknown[] = []) {
    try {
      return await this.pool.query<R>(text, values);
    } catch (e) {
      throw isConnectionFailure(e) ? new QuestDbUnavailableError(e) : e;
    }
  }
}

/** Counts of the same (minute, shard) added up. */
function sumByMinuteAndShard(...parts: MinuteShardCount[][]): MinuteShardCount[] {
  const sums = new Map<string, MinuteShardCount>();
  for (const part of parts) {
    for (const c of part) {
      const key = `${c.minute}/${c.shard}`;
      const sum = sums.get(key);
      if (sum) sum.clicks += c.clicks;
      else sums.set(key, { ...c });
    }
  }
  return [...sums.values()];
}
