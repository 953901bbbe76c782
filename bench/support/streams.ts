// Reads and fills the shard streams the way the system lays them out (libs/stream: `clicks:{s<i>}`, entries of one
// `clicks` field, the JSON of several clicks one per line), so benchmarks can check counts and pre-fill work for the
// aggregator.
import Redis from 'ioredis';
import { ClickEvent, encodeClick } from '@clicks/events';
import { saltKeyOf, ShardRouter } from '@clicks/routing';
import { clickEntryFields, clicksOfEntry, GROUPS, streamKeys } from '@clicks/stream';

const shards = (count: number) => Array.from({ length: count }, (_, i) => i);

/**
 * Clicks held by every shard stream: intake packs the clicks of one call and shard into one entry (a `clicks` field,
 * one line per click), so this pages through the entries (XRANGE) instead of summing XLEN.
 */
export async function totalStreamClicks(redis: Redis, shardCount: number): Promise<number> {
  let total = 0;
  for (const s of shards(shardCount)) {
    for (let start = '-'; ;) {
      const page = await redis.xrange(streamKeys.stream(s), start, '+', 'COUNT', 1000);
      for (const [, fields] of page) total += clicksOfEntry(fields).length;
      if (page.length < 1000) break;
      start = `(${page[page.length - 1][0]}`;
    }
  }
  return total;
}

export interface GroupProgress {
  /** Entries not yet delivered to the group, over all shards (XINFO GROUPS lag; the whole stream without group). */
  undelivered: number;
  /** Delivered but not yet acknowledged (checkpointed). */
  pending: number;
  /** Shards whose stream has no such group yet. */
  missing: number;
}

/** Lag and pending of one consumer group summed over the shards. */
export async function groupProgress(redis: Redis, shardCount: number, group: string): Promise<GroupProgress> {
  const out: GroupProgress = { undelivered: 0, pending: 0, missing: 0 };
  const p = redis.pipeline();
  for (const s of shards(shardCount)) p.xlen(streamKeys.stream(s)).xinfo('GROUPS', streamKeys.stream(s));
  const replies = (await p.exec()) ?? [];
  for (let i = 0; i + 1 < replies.length; i += 2) {
    const length = Number(replies[i][1] ?? 0);
    const [err, reply] = replies[i + 1];
    const g = (err ? [] : (reply as unknown[][])).map(toRecord).find((r) => r.name === group);
    if (!g) {
      out.missing++;
      out.undelivered += length;
      continue;
    }
    // lag is null when Redis cannot compute it (entries deleted in the unread range): count it as not caught up.
    out.undelivered += g.lag === null || g.lag === undefined ? length : Number(g.lag);
    out.pending += Number(g.pending ?? 0);
  }
  return out;
}

export const CONSUMER_GROUPS = GROUPS;

function toRecord(flat: unknown[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) r[String(flat[i])] = flat[i + 1];
  return r;
}

/**
 * Appends clicks with plain pipelined XADD (no de-dup keys: the aggregator does not read them), routed to shards
 * as intake routes them, to the shard streams or to `keyOf(shard)`, `clicksPerEntry` clicks of a shard per entry as
 * intake packs a call's clicks (a 2,000-click batch over 16 shards: about 125). Returns how many clicks each shard got.
 */
export async function appendClicks(
  redis: Redis,
  shardCount: number,
  clicks: Iterable<ClickEvent>,
  keyOf: (shard: number) => string = streamKeys.stream,
  clicksPerEntry = 1,
  pipelineSize = 500,
): Promise<number[]> {
  const router = new ShardRouter(shardCount);
  const perShard = new Array<number>(shardCount).fill(0);
  const waiting: string[][] = Array.from({ length: shardCount }, () => []);
  let p = redis.pipeline();
  let queued = 0;
  const flush = async () => {
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
    p = redis.pipeline();
    queued = 0;
  };
  const send = async (shard: number) => {
    p.xadd(keyOf(shard), '*', ...clickEntryFields(waiting[shard]));
    waiting[shard] = [];
    if (++queued === pipelineSize) await flush();
  };
  for (const click of clicks) {
    const shard = router.shardFor(click.adId, saltKeyOf(click));
    perShard[shard]++;
    waiting[shard].push(encodeClick(click));
    if (waiting[shard].length === clicksPerEntry) await send(shard);
  }
  for (const shard of shards(shardCount)) if (waiting[shard].length > 0) await send(shard);
  if (queued > 0) await flush();
  return perShard;
}

/** Where pre-filled clicks wait until `publishStaged` moves them into the shard streams. */
export const stagingKey = (shard: number) => `bench-staging:${streamKeys.stream(shard)}`;

/** Creates both consumer groups at the start of every staging stream, as the workers would on their streams. */
export async function prepareStaged(redis: Redis, shardCount: number): Promise<void> {
  for (const s of shards(shardCount)) {
    for (const group of Object.values(GROUPS)) await redis.xgroup('CREATE', stagingKey(s), group, '0', 'MKSTREAM');
  }
}

/**
 * Replaces every (empty) shard stream with its staging stream in one MULTI, so running workers see all N entries
 * at once: their blocked XREADGROUP is woken (or re-issued after READ_BLOCK_MS) and finds the groups at 0.
 */
export async function publishStaged(redis: Redis, shardCount: number): Promise<void> {
  const m = redis.multi();
  for (const s of shards(shardCount)) m.rename(stagingKey(s), streamKeys.stream(s));
  for (const [err] of (await m.exec()) ?? []) if (err) throw err;
}
