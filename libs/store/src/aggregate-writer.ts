import { ilpLong, ilpName, ilpTimestamp } from './ilp-line';
import { IlpTableWriter } from './ilp-table-writer';
import { TABLES } from './schema';

export interface MinuteCountRow {
  ts: number;
  adId: string;
  country: string;
  shard: string;
  clicks: number;
  /** A row of late clicks folded in after their window closed (its shard is `s<i>/late`). */
  late?: boolean;
}

/** One `ad_clicks_1m` row as an ILP line. */
export function minuteCountLine(r: MinuteCountRow): string {
  return (
    `${TABLES.minuteCounts},ad_id=${ilpName(r.adId)},country=${ilpName(r.country)},shard=${ilpName(r.shard)} ` +
    `clicks=${ilpLong(r.clicks)}${r.late ? ',late=t' : ''} ${ilpTimestamp(r.ts)}\n`
  );
}

/**
 * Writes cumulative minute counts over ILP/HTTP, one writer per worker process shared by its shard actors. A
 * failed write stores nothing of the request, so each caller keeps its rows changed and writes them again.
 */
export class AggregateWriter extends IlpTableWriter<MinuteCountRow> {
  /**
   * `requestTimeoutMs` bounds how long after its lease a paused owner's write can still land (keep it < TTL). With
   * it the client does not retry on its own: a retry would start after the caller's lease check; the actor retries.
   */
  static async connect(httpUrl: string, requestTimeoutMs?: number): Promise<AggregateWriter> {
    const retryMs = requestTimeoutMs === undefined ? undefined : 0;
    return new AggregateWriter(await IlpTableWriter.transportFor(httpUrl, requestTimeoutMs, retryMs), minuteCountLine);
  }
}
