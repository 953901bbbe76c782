import Redis from 'ioredis';

/**
 * Every click payload (parsed) in the shard streams `clicks:{s0}` … `clicks:{s<shards-1>}`, in stream order. An entry
 * holds one `c` field per click: intake packs the clicks of one call and shard into one entry.
 */
export async function streamClicks<T = { eventId: string; adId: string }>(redis: Redis, shards: number): Promise<T[]> {
  const out: T[] = [];
  for (let s = 0; s < shards; s++) {
    for (const [, fields] of await redis.xrange(`clicks:{s${s}}`, '-', '+')) {
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'c') out.push(JSON.parse(fields[i + 1]) as T);
    }
  }
  return out;
}
