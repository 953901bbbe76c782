import { Sender } from '@questdb/nodejs-client';
import { ilpConfig } from './ilp-config';
import { TABLES } from './schema';

export interface MinuteCountRow {
  ts: number;
  adId: string;
  country: string;
  shard: string;
  clicks: number;
}

/**
 * Writes cumulative minute counts over ILP/HTTP. One writer per shard actor, never two flushes at once: a
 * failed flush loses the sender's buffer, so the caller keeps its rows changed and writes them again.
 */
export class AggregateWriter {
  private constructor(private readonly sender: Sender) {}

  /** `requestTimeoutMs` bounds how long after its lease a paused owner's write can still land (keep it < TTL). */
  static async connect(httpUrl: string, requestTimeoutMs?: number): Promise<AggregateWriter> {
    return new AggregateWriter(await Sender.fromConfig(ilpConfig(httpUrl, requestTimeoutMs), { log: () => undefined }));
  }

  /** Resolves once QuestDB has accepted every row (one HTTP request, one table: one transaction). */
  async write(rows: readonly MinuteCountRow[]): Promise<void> {
    if (rows.length === 0) return;
    const s = this.sender;
    try {
      for (const r of rows) {
        await s
          .table(TABLES.minuteCounts)
          .symbol('ad_id', r.adId)
          .symbol('country', r.country)
          .symbol('shard', r.shard)
          .intColumn('clicks', r.clicks)
          .at(r.ts, 'ms');
      }
      await s.flush();
    } catch (e) {
      s.reset();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.sender.close();
  }
}
