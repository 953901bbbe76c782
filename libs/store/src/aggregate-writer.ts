import { Sender } from '@questdb/nodejs-client';
import { ilpConfig } from './ilp-config';
import { IlpTableWriter } from './ilp-table-writer';
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
export class AggregateWriter extends IlpTableWriter<MinuteCountRow> {
  /** `requestTimeoutMs` bounds how long after its lease a paused owner's write can still land (keep it < TTL). */
  static async connect(httpUrl: string, requestTimeoutMs?: number): Promise<AggregateWriter> {
    const sender = await Sender.fromConfig(ilpConfig(httpUrl, requestTimeoutMs), { log: () => undefined });
    return new AggregateWriter(sender, (s, r) =>
      s
        .table(TABLES.minuteCounts)
        .symbol('ad_id', r.adId)
        .symbol('country', r.country)
        .symbol('shard', r.shard)
        .intColumn('clicks', r.clicks)
        .at(r.ts, 'ms'),
    );
  }
}
