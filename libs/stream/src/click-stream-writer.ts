import { ClickEvent, encodeClick } from '@clicks/events';
import { ClicksRedis } from './redis-client';
import { ENTRY_FIELDS, streamKeys } from './stream-keys';

export type EnqueueOutcome = 'appended' | 'duplicate';

export interface ShardedClick {
  shard: number;
  event: ClickEvent;
}

/** The one enqueue path: de-dup and XADD in one Lua step per click, many clicks per round trip. */
export class ClickStreamWriter {
  constructor(
    private readonly redis: ClicksRedis,
    private readonly dedupHorizonSeconds: number,
  ) {}

  async append(click: ShardedClick): Promise<EnqueueOutcome> {
    const [outcome] = await this.appendMany([click]);
    return outcome;
  }

  /** Resolves only once every click is stored (or known as a duplicate); rejects if any could not be. */
  async appendMany(clicks: readonly ShardedClick[]): Promise<EnqueueOutcome[]> {
    // A pipeline queues commands; their results arrive through exec(), not the per-command promises.
    const pipeline = this.redis.pipeline();
    for (const { shard, event } of clicks) {
      void (pipeline as unknown as ClicksRedis).enqueueClick(
        streamKeys.stream(shard),
        streamKeys.seen(shard, event.eventId),
        this.dedupHorizonSeconds,
        ENTRY_FIELDS.click,
        encodeClick(event),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, id]) => {
      if (err) throw err;
      return id ? 'appended' : 'duplicate';
    });
  }

  /** Whether each event id is remembered (within the horizon) on the given shard: de-dup across a routing change. */
  async seenMany(items: readonly { shard: number; eventId: string }[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { shard, eventId } of items) pipeline.exists(streamKeys.seen(shard, eventId));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
  }

  /** An idle tick: moves the shard's stream time forward in-band, so replays see it at the same position. */
  async appendTick(shard: number, streamTime: number): Promise<void> {
    await this.redis.xadd(streamKeys.stream(shard), '*', ENTRY_FIELDS.tick, String(streamTime));
  }
}
