import { ilpName, ilpString, ilpTimestamp } from './ilp-line';
import { IlpTableWriter } from './ilp-table-writer';
import { TABLES } from './schema';

/** One archived click; `shard` is the shard name (`s7`). */
export interface RawClickRow {
  ts: number;
  eventId: string;
  adId: string;
  shard: string;
  country: string;
  userId?: string;
  ip?: string;
  impressionId?: string;
  userAgent?: string;
  partnerId?: string;
}

/** One `clicks_raw` row as an ILP line; absent optional columns are left out (NULL). */
export function rawClickLine(r: RawClickRow): string {
  let line =
    `${TABLES.raw},ad_id=${ilpName(r.adId)},country=${ilpName(r.country)},shard=${ilpName(r.shard)}` +
    (typeof r.partnerId === 'string' ? `,partner_id=${ilpName(r.partnerId)} ` : ' ') +
    `event_id=${ilpString(r.eventId)}`;
  if (typeof r.userId === 'string') line += `,user_id=${ilpString(r.userId)}`;
  if (typeof r.ip === 'string') line += `,ip=${ilpString(r.ip)}`;
  if (typeof r.impressionId === 'string') line += `,impression_id=${ilpString(r.impressionId)}`;
  if (typeof r.userAgent === 'string') line += `,user_agent=${ilpString(r.userAgent)}`;
  return `${line} ${ilpTimestamp(r.ts)}\n`;
}

/**
 * Appends raw clicks to `clicks_raw` (DEDUP UPSERT KEYS(ts, event_id)), so a re-delivered event replaces itself.
 * One writer per consumer; a failed write stores nothing, so the caller re-sends before acknowledging.
 */
export class RawArchiveWriter extends IlpTableWriter<RawClickRow> {
  static async connect(httpUrl: string, commitIntervalMs = 0): Promise<RawArchiveWriter> {
    return new RawArchiveWriter(await IlpTableWriter.transportFor(httpUrl), rawClickLine, commitIntervalMs);
  }
}
