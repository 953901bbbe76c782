import Redis from 'ioredis';

/**
 * Every click payload (parsed) in the shard streams `clicks:{s0}` … `clicks:{s<shards-1>}`, in stream order. Intake
 * packs the clicks of one call and shard into one entry, a `clicks` field of their JSON joined by newlines; a test
 * may also add entries of one `c` field per click (the earlier layout, still read).
 */
export async function streamClicks<T = { eventId: string; adId: string }>(redis: Redis, shards: number): Promise<T[]> {
  const out: T[] = [];
  for (let s = 0; s < shards; s++) {
    for (const [, fields] of await redis.xrange(`clicks:{s${s}}`, '-', '+')) {
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] === 'clicks') for (const json of fields[i + 1].split('\n')) out.push(JSON.parse(json) as T);
        else if (fields[i] === 'c') out.push(JSON.parse(fields[i + 1]) as T);
      }
    }
  }
  return out;
}
