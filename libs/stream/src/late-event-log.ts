import { ClicksRedis } from './redis-client';
import { toRecord } from './redis-reply';
import { streamKeys } from './stream-keys';

/** The field of a late-events stream entry (written by the checkpoint script) holding the late record. */
const LATE_FIELD = 'late';
// Small pages: each XRANGE holds Redis's one thread, which intake shares.
const PAGE = 2000;

/** One entry of a shard's late-events stream: its own id (recording time) and the late record, if any. */
export interface LateLogEntry {
  id: string;
  record: string | undefined;
}

/** Reads a shard's late-events stream, for reconciliation. */
export class LateEventLog {
  constructor(private readonly redis: ClicksRedis) {}

  /** The entries recorded at or after `fromMs`, oldest first, a page at a time. */
  async *since(shard: number, fromMs: number): AsyncGenerator<LateLogEntry[]> {
    const key = streamKeys.late(shard);
    let start = String(Math.max(0, Math.floor(fromMs)));
    for (;;) {
      const page = await this.redis.xrange(key, start, '+', 'COUNT', PAGE);
      if (page.length === 0) return;
      yield page.map(([id, fields]) => ({ id, record: fieldValue(fields, LATE_FIELD) }));
      if (page.length < PAGE) return;
      start = `(${page[page.length - 1][0]}`;
    }
  }

  /**
   * The recording time (ms) before which entries were trimmed away (the stream keeps about a million), or null when
   * none were: late records of clicks older than that may be missing. Redis 7 counts `entries-added`; trimming does
   * not set `max-deleted-entry-id`, so what is gone is whatever came before the first entry left.
   */
  async trimmedBefore(shard: number): Promise<number | null> {
    let flat: unknown[];
    try {
      flat = (await this.redis.xinfo('STREAM', streamKeys.late(shard))) as unknown[];
    } catch (e) {
      if (e instanceof Error && /no such key/i.test(e.message)) return null; // no late click recorded yet
      throw e;
    }
    const info = toRecord(flat);
    if (!('entries-added' in info)) {
      throw new Error(`XINFO STREAM ${streamKeys.late(shard)} has no entries-added: Redis 7 or later is required`);
    }
    const length = Number(info.length);
    if (!(Number(info['entries-added']) > length)) return null;
    const firstLeft = length > 0 ? info['recorded-first-entry-id'] : info['last-generated-id'];
    // Trimmed entries may share the first left one's millisecond (a lower sequence number).
    return Number(String(firstLeft).split('-')[0]) + 1;
  }
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
