import { ClickEvent, encodeClick } from '@clicks/events';
import { GroupCommitOptions, GroupCommitter } from './group-commit';
import { ClicksRedis, WriteConcern, writeConcernOf } from './redis-client';
import { ENTRY_FIELDS, streamKeys } from './stream-keys';

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

export interface ShardedClick {
  shard: number;
  event: ClickEvent;
}

/** Clicks per Lua call: enough to make per-call costs small, few enough that one call never holds Redis long. */
const CLICKS_PER_CALL = 200;

const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxBatch: 1000, delayMs: 1, maxInFlight: 50_000 };

/**
 * The one enqueue path: de-dup and XADD in one Lua step per click. Clicks of concurrent requests are group-committed:
 * one pipeline per shard and flush (so every pipeline stays in one Redis Cluster slot), one round trip in all.
 */
export class ClickStreamWriter {
  private readonly committer: GroupCommitter<ShardedClick, EnqueueOutcome>;

  constructor(
    private readonly redis: ClicksRedis,
    private readonly dedupHorizonSeconds: number,
    groupCommit: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
    private readonly writeConcern: WriteConcern = writeConcernOf(redis),
  ) {
    this.committer = new GroupCommitter((clicks) => this.write(clicks), groupCommit);
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
    return Promise.all(clicks.map((c) => this.committer.submit(c)));
  }

  private async write(clicks: readonly ShardedClick[]): Promise<EnqueueOutcome[]> {
    const outcomes = new Array<EnqueueOutcome>(clicks.length);
    await Promise.all(
      [...groupByShard(clicks)].map(async ([shard, indexes]) => {
        // A pipeline queues commands; their results arrive through exec(), not the per-command promises.
        const pipeline = this.redis.pipeline();
        const { replicas, timeoutMs } = this.writeConcern;
        const chunks: number[][] = [];
        for (let c = 0; c < indexes.length; c += CLICKS_PER_CALL) chunks.push(indexes.slice(c, c + CLICKS_PER_CALL));
        for (const chunk of chunks) {
          const seenKeys = chunk.map((i) => streamKeys.seen(shard, clicks[i].event.eventId));
          const payloads = chunk.map((i) => encodeClick(clicks[i].event));
          const touch = replicas > 0 ? 1 : 0;
          const args = [streamKeys.stream(shard), ...seenKeys, this.dedupHorizonSeconds, ENTRY_FIELDS.click, touch];
          void (pipeline as unknown as ClicksRedis).enqueueClicks(1 + chunk.length, ...args, ...payloads);
        }
        // WAIT has no key: in a cluster it goes with the pipeline to the shard's master, and covers its writes.
        if (replicas > 0) pipeline.call('WAIT', replicas, timeoutMs);
        const results = (await pipeline.exec()) ?? [];
        results.forEach(([err, reply], k) => {
          if (err) throw err;
          if (k < chunks.length) {
            (reply as (string | number)[]).forEach((r, j) => (outcomes[chunks[k][j]] = r ? 'appended' : 'duplicate'));
          } else if (Number(reply) < replicas) {
            throw new ReplicationError(shard, Number(reply), replicas);
          }
        });
      }),
    );
    return outcomes;
  }

  /** Whether each event id is remembered (within the horizon) on the given shard: de-dup across a routing change. */
  async seenMany(items: readonly { shard: number; eventId: string }[]): Promise<boolean[]> {
    return Promise.all(
      items.map(async ({ shard, eventId }) => (await this.redis.exists(streamKeys.seen(shard, eventId))) === 1),
    );
  }
}

function groupByShard(clicks: readonly ShardedClick[]): Map<number, number[]> {
  const byShard = new Map<number, number[]>();
  clicks.forEach(({ shard }, i) => {
    const list = byShard.get(shard);
    if (list) list.push(i);
    else byShard.set(shard, [i]);
  });
  return byShard;
}
