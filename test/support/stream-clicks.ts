import Redis from 'ioredis';
import { clicksOfEntry } from '@clicks/stream';

/**
 * Every click payload (parsed) in the shard streams `clicks:{s0}` … `clicks:{s<shards-1>}`, in stream order. Intake
 * packs the clicks of one call and shard into one entry, a `clicks` field of their JSON joined by newlines; a test
 * may also add entries of one `c` field per click (the earlier layout, still read).
 */
export async function streamClicks<T = { eventId: string; adId: string }>(redis: Redis, shards: number): Promise<T[]> {
  const out: T[] = [];
  for (let s = 0; s < shards; s++) {
    for (const [, fields] of await redis.xrange(`clicks:{s${s}}`, '-', '+')) {
      for (const json of clicksOfEntry(fields)) out.push(JSON.parse(json) as T);
    }
  }
  return out;
}
