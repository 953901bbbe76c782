import { ilpLong, ilpName, ilpString, ilpTimestamp } from './ilp-line';
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
  /** Invalid clicks of this reason: a row of ad_invalid_clicks_1m instead of ad_clicks_1m. */
  reason?: string;
}

/** One `ad_clicks_1m` row, or `ad_invalid_clicks_1m` row when it has a reason, as an ILP line. */
export function minuteCountLine(r: MinuteCountRow): string {
  const tags = `ad_id=${ilpName(r.adId)},country=${ilpName(r.country)},shard=${ilpName(r.shard)}`;
  const fields = `clicks=${ilpLong(r.clicks)}${r.late ? ',late=t' : ''} ${ilpTimestamp(r.ts)}\n`;
  return r.reason === undefined
    ? `${TABLES.minuteCounts},${tags} ${fields}`
    : `${TABLES.invalidMinuteCounts},${tags},reason=${ilpName(r.reason)} ${fields}`;
}

/** The verdict on one invalid click (a `clicks_raw_invalid` row): why it is not billable. */
export interface InvalidClickRow {
  ts: number;
  eventId: string;
  adId: string;
  reason: string;
  country: string;
  shard: string;
  userId?: string;
  ip?: string;
  /** The click arrived after its window closed (folded in late). */
  late?: boolean;
}

/** What a shard actor writes with one flush: minute counts (valid or invalid) and verdicts on invalid clicks. */
export type AggregateRow = MinuteCountRow | InvalidClickRow;

/** One `clicks_raw_invalid` row as an ILP line. */
export function invalidClickLine(r: InvalidClickRow): string {
  let line =
    `${TABLES.invalidRaw},ad_id=${ilpName(r.adId)},reason=${ilpName(r.reason)},country=${ilpName(r.country)},` +
    `shard=${ilpName(r.shard)} event_id=${ilpString(r.eventId)}`;
  if (typeof r.userId === 'string') line += `,user_id=${ilpString(r.userId)}`;
  if (typeof r.ip === 'string') line += `,ip=${ilpString(r.ip)}`;
  if (r.late) line += ',late=t';
  return `${line} ${ilpTimestamp(r.ts)}\n`;
}

const aggregateLine = (r: AggregateRow) => ('eventId' in r ? invalidClickLine(r) : minuteCountLine(r));

/**
 * Writes cumulative minute counts over ILP/HTTP, one writer per worker process shared by its shard actors. A
 * failed write stores nothing of the request, so each caller keeps its rows changed and writes them again.
 */
export class AggregateWriter extends IlpTableWriter<AggregateRow> {
  /**
   * `requestTimeoutMs` bounds how long after its lease a paused owner's write can still land (keep it < TTL). With
   * it the client does not retry on its own: a retry would start after the caller's lease check; the actor retries.
   */
  static async connect(httpUrl: string, requestTimeoutMs?: number, commitIntervalMs = 0): Promise<AggregateWriter> {
    const retryMs = requestTimeoutMs === undefined ? undefined : 0;
    const transport = await IlpTableWriter.transportFor(httpUrl, requestTimeoutMs, retryMs);
    return new AggregateWriter(transport, aggregateLine, commitIntervalMs);
  }
}
