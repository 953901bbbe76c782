import { Sender } from '@questdb/nodejs-client';
import { ilpConfig } from './ilp-config';
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
}

/**
 * Appends raw clicks to `clicks_raw` (DEDUP UPSERT KEYS(ts, event_id)), so a re-delivered event replaces itself.
 * One writer per consumer; a failed flush loses the buffer, so the caller re-sends before acknowledging.
 */
export class RawArchiveWriter extends IlpTableWriter<RawClickRow> {
  static async connect(httpUrl: string): Promise<RawArchiveWriter> {
    const sender = await Sender.fromConfig(ilpConfig(httpUrl), { log: () => undefined });
    return new RawArchiveWriter(sender, appendRawClick);
  }
}

function appendRawClick(s: Sender, r: RawClickRow): Promise<void> {
  s.table(TABLES.raw).symbol('ad_id', r.adId).symbol('country', r.country).symbol('shard', r.shard);
  s.stringColumn('event_id', r.eventId);
  if (r.userId !== undefined) s.stringColumn('user_id', r.userId);
  if (r.ip !== undefined) s.stringColumn('ip', r.ip);
  if (r.impressionId !== undefined) s.stringColumn('impression_id', r.impressionId);
  if (r.userAgent !== undefined) s.stringColumn('user_agent', r.userAgent);
  return s.at(r.ts, 'ms');
}
