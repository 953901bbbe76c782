import { ClickEvent, encodeClick } from '@clicks/events';
import { GroupCommitOptions, GroupCommitter } from './group-commit';
import { ClicksRedis, WriteConcern, writeConcernOf } from './redis-client';
import { clickEntryFields, ENTRY_FIELDS, seenBucket, streamKeys } from './stream-keys';

export type EnqueueOutcome = 'appended' | 'duplicate';

/** A write batch reached fewer replicas than required in time: not known to survive a failover, so not stored. */
export class ReplicationError extends Error {
  constructor(
    readonly shard: number,
    readonly acknowledged: number,
    readonly required: number,
  ) {
    super(`shard ${shard}: write reached ${acknowledged} of ${required} required replicas in time`);
    this.name = 'ReplicationError';
  }
}

/** Per stream of a call: its entry id (0: nothing new), then the 1-based positions of its duplicates. */
type EnqueueReply = [string | 0, ...number[]][];

/** The clicks of one stream in one call, repeats within the call left out. */
interface StreamGroup {
  ids: Set<string>;
  payloads: string[];
  /** Where each click is in the write's list. */
  indexes: number[];
}

interface EnqueueCall {
  keys: string[];
  args: (string | number)[];
  settle(reply: EnqueueReply, outcomes: EnqueueOutcome[]): void;
}

export interface ShardedClick {
  shard: number;
  event: ClickEvent;
}

/**
 * Clicks per Lua call. Under `appendfsync always` Redis fsyncs once per event-loop turn in which a write ran, and it
 * reads at most 16 KB of a client's pipeline per turn, so each call of a pipeline gets an fsync of its own: larger
 * calls share one fsync among more clicks. Batched clicks/s measured with 200, 1000 and 2000 per call: about 120K,
 * 139K and 151K. 2000 clicks hold Redis for about 10 ms (the group commit flushes at GROUP_COMMIT_MAX_BATCH).
 * Keep it below 7,990: the script unpacks a stream's ids in one call, and Redis's Lua refuses to unpack 8,000 values
 * ("too many results to unpack"; checked on Redis 7.0).
 */
const CLICKS_PER_CALL = 2000;

const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxBatch: 2000, delayMs: 1, maxInFlight: 50_000 };

/**
 * The one enqueue path: de-dup and XADD in one atomic Lua step per call. Clicks of concurrent requests are
 * group-committed: one pipeline per flush on one Redis (a Lua call takes clicks of many shards), one pipeline per
 * shard and flush on a Redis Cluster (so every pipeline and call stays in one slot).
 */
export class ClickStreamWriter {
  private readonly committer: GroupCommitter<ShardedClick, EnqueueOutcome>;
  /** On a cluster every call and pipeline must stay in one slot, i.e. one shard; on one Redis any mix will do. */
  private readonly perShard: boolean;

  constructor(
    private readonly redis: ClicksRedis,
    private readonly dedupHorizonSeconds: number,
    groupCommit: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
    private readonly writeConcern: WriteConcern = writeConcernOf(redis),
  ) {
    this.committer = new GroupCommitter((clicks) => this.write(clicks), groupCommit);
    this.perShard = redis.isCluster;
  }

  /** Clicks queued or being written: what backpressure is measured by. */
  get inFlight(): number {
    return this.committer.inFlight;
  }

  append(click: ShardedClick): Promise<EnqueueOutcome> {
    return this.committer.submit(click);
  }

  /** Resolves only once every click is stored (or known as a duplicate); rejects if any could not be. */
  appendMany(clicks: readonly ShardedClick[]): Promise<EnqueueOutcome[]> {
    return this.committer.submitMany(clicks);
  }

  private async write(clicks: readonly ShardedClick[]): Promise<EnqueueOutcome[]> {
    const outcomes = new Array<EnqueueOutcome>(clicks.length);
    const groups = this.perShard ? [...groupByShard(clicks).values()] : [clicks.map((_, i) => i)];
    await Promise.all(groups.map((indexes) => this.writeGroup(clicks, indexes, outcomes)));
    return outcomes;
  }

  /** One pipeline: Lua calls of up to CLICKS_PER_CALL clicks, then WAIT when replicas must acknowledge. */
  private async writeGroup(
    clicks: readonly ShardedClick[],
    indexes: readonly number[],
    outcomes: EnqueueOutcome[],
  ): Promise<void> {
    // A pipeline queues commands; their results arrive through exec(), not the per-command promises.
    const pipeline = this.redis.pipeline();
    const { replicas, timeoutMs } = this.writeConcern;
    const touch = replicas > 0 ? 1 : 0;
    const chunks: (readonly number[])[] = [];
    for (let c = 0; c < indexes.length; c += CLICKS_PER_CALL) chunks.push(indexes.slice(c, c + CLICKS_PER_CALL));
    const bucket = seenBucket(Date.now(), this.dedupHorizonSeconds);
    const calls = chunks.map((chunk) => this.callOf(clicks, chunk, bucket, touch, outcomes));
    for (const { keys, args } of calls) {
      void (pipeline as unknown as ClicksRedis).enqueueClicks(keys.length, ...keys, ...args);
    }
    // WAIT has no key: in a cluster it goes with the pipeline to the shard's master, and covers its writes.
    if (replicas > 0) pipeline.call('WAIT', replicas, timeoutMs);
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([err, reply], k) => {
      if (err) throw err;
      if (k < calls.length) calls[k].settle(reply as EnqueueReply, outcomes);
      else if (Number(reply) < replicas) throw new ReplicationError(clicks[indexes[0]].shard, Number(reply), replicas);
    });
  }

  /**
   * One ENQUEUE_CLICKS call: its clicks grouped by stream, in order. A repeat of an id earlier in the same call and
   * stream is a duplicate at once (the script needs the ids of one stream distinct); its outcome is set here.
   */
  private callOf(
    clicks: readonly ShardedClick[],
    chunk: readonly number[],
    bucket: number,
    touch: number,
    outcomes: EnqueueOutcome[],
  ): EnqueueCall {
    const byShard = new Map<number, StreamGroup>();
    for (const i of chunk) {
      const { shard, event } = clicks[i];
      let group = byShard.get(shard);
      if (!group) byShard.set(shard, (group = { ids: new Set(), payloads: [], indexes: [] }));
      if (group.ids.has(event.eventId)) {
        outcomes[i] = 'duplicate';
        continue;
      }
      group.ids.add(event.eventId);
      group.payloads.push(encodeClick(event));
      group.indexes.push(i);
    }
    const shards = [...byShard.keys()];
    const keys = shards.map((shard) => streamKeys.stream(shard));
    for (const shard of shards) keys.push(...this.seenSets(shard, bucket));
    const args: (string | number)[] = [shards.length, this.dedupHorizonSeconds, touch, bucket, ENTRY_FIELDS.clicks];
    for (const group of byShard.values()) args.push(group.ids.size, ...group.ids, clickEntryFields(group.payloads)[1]);
    const groups = [...byShard.values()];
    return {
      keys,
      args,
      settle(reply: EnqueueReply, out: EnqueueOutcome[]): void {
        reply.forEach(([entryId, ...duplicates], g) => {
          const { indexes } = groups[g];
          for (const i of indexes) out[i] = entryId ? 'appended' : 'duplicate';
          for (const position of duplicates) out[indexes[position - 1]] = 'duplicate';
        });
      },
    };
  }

  /**
   * Whether each event id is remembered (within the horizon) on the given shard: de-dup across a routing change.
   * Looks in the buckets the script may use (b-2 .. b+1 of this clock), so an id up to three horizons old may count
   * as seen: event ids are unique, so that is a duplicate too. One pipeline per shard on a Redis Cluster.
   */
  async seenMany(items: readonly { shard: number; eventId: string }[]): Promise<boolean[]> {
    const bucket = seenBucket(Date.now(), this.dedupHorizonSeconds);
    const seen = new Array<boolean>(items.length).fill(false);
    const groups = this.perShard ? [...groupByShard(items).values()] : [items.map((_, i) => i)];
    await Promise.all(
      groups.map(async (indexes) => {
        const pipeline = this.redis.pipeline();
        for (const i of indexes) {
          const { shard, eventId } = items[i];
          for (const set of this.seenSets(shard, bucket)) pipeline.sismember(set, eventId);
        }
        const results = (await pipeline.exec()) ?? [];
        indexes.forEach((i, k) => {
          seen[i] = results.slice(4 * k, 4 * k + 4).some(([err, found]) => {
            if (err) throw err;
            return found === 1;
          });
        });
      }),
    );
    return seen;
  }

  /** The de-dup sets a call names for `shard`: buckets b-2 .. b+1 around this clock's bucket b (see ENQUEUE_CLICKS). */
  private seenSets(shard: number, bucket: number): string[] {
    return [-2, -1, 0, 1].map((d) => streamKeys.seen(shard, this.dedupHorizonSeconds, bucket + d));
  }
}

function groupByShard(clicks: readonly { shard: number }[]): Map<number, number[]> {
  const byShard = new Map<number, number[]>();
  clicks.forEach(({ shard }, i) => {
    const list = byShard.get(shard);
    if (list) list.push(i);
    else byShard.set(shard, [i]);
  });
  return byShard;
}
