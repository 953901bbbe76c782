import { ilpLong, ilpName, ilpTimestamp } from './ilp-line';
import { IlpTableWriter } from './ilp-table-writer';
import { TABLES } from './schema';

export interface MinuteCountRow {
  ts: number;
  adId: string;
  country: string;
  shard: string;
  clicks: number;
}

/** One `ad_clicks_1m` row as an ILP line. */
export function minuteCountLine(r: MinuteCountRow): string {
  return (
    `${TABLES.minuteCounts},ad_id=${ilpName(r.adId)},country=${ilpName(r.country)},shard=${ilpName(r.shard)} ` +
    `clicks=${ilpLong(r.clicks)} ${ilpTimestamp(r.ts)}\n`
  );
}

/**
 * Writes cumulative minute counts over ILP/HTTP. One writer per shard actor, never two flushes at once: a
 * failed flush writes nothing, so the caller keeps its rows changed and writes them again.
 */
export class AggregateWriter extends IlpTableWriter<MinuteCountRow> {
  /** `requestTimeoutMs` bounds how long after its lease a paused owner's write can still land (keep it < TTL). */
  static async connect(httpUrl: string, requestTimeoutMs?: number): Promise<AggregateWriter> {
    return new AggregateWriter(await IlpTableWriter.transportFor(httpUrl, requestTimeoutMs), minuteCountLine);
  }
}
