import { encodeClick } from '@clicks/events';
import { ShardActor } from '../shard-actor';
import { Clock, ShardActorOptions } from '../shard-actor.ports';
import { FakeClock, InMemoryAggregates, InMemoryShard } from './in-memory-shard';

export const T0 = Date.parse('2026-12-01T12:00:00Z');
/** Clock time per loop round of the driver. */
const ROUND_MS = 50;

export const DRIVER_OPTIONS: ShardActorOptions = {
  hotAdThreshold: 1e9,
  owner: 'w1',
  flushIntervalMs: 200,
  allowedLatenessMs: 60_000,
  streamTimeMaxSkewMs: 5000,
  idleAdvanceMs: 10_000,
  readBatchSize: 100,
  readBlockMs: 50,
  leaseTtlMs: 3000,
  lateRetentionMs: 32 * 86_400_000,
};

/**
 * Runs shard actors against an in-memory shard and QuestDB on a fake clock, one loop round at a time, in the spirit
 * of Kafka Streams' TopologyTestDriver: no Redis, no QuestDB, no timers; each failure is injected by hand.
 */
export class ShardTestDriver {
  readonly clock = new FakeClock(T0);
  readonly shard = new InMemoryShard(this.clock);
  readonly questdb = new InMemoryAggregates(this.clock);
  /** The operator's blocklist as the actors' workers last read it (null: not read yet). */
  blocklist: { version: number; cidrs: string[] } | null = null;
  /** Clicks appended per ad: what the counts must equal. */
  readonly expected: Record<string, number> = {};
  private n = 0;

  /** An actor; `clock` is the worker's (the driver's clock is Redis's, which stamps appended entries). */
  actor(owner = 'w1', options: Partial<ShardActorOptions> = {}, clock: Clock = this.clock): ShardActor {
    const stores = { log: this.shard, checkpoints: this.shard, lease: this.shard, sink: this.questdb.sinkFor(owner) };
    const ports = {
      reportHotAds: () => Promise.resolve(),
      flushed: () => undefined,
      currentBlocklist: () => this.blocklist,
    };
    return new ShardActor(0, stores, ports, { ...DRIVER_OPTIONS, owner, ...options }, clock);
  }

  /** Appends a click (event time: now unless given) and expects it counted. */
  click(adId: string, ts = this.clock.now(), country = 'DE'): string {
    this.expected[adId] = (this.expected[adId] ?? 0) + 1;
    return this.shard.append({ click: encodeClick({ eventId: `e${this.n++}`, adId, ts, country }) });
  }

  /** Appends `count` clicks as ONE stream entry (as intake packs them) and expects each counted. */
  packedClicks(adId: string, count: number): string {
    const clicks: string[] = [];
    for (let i = 0; i < count; i++) {
      this.expected[adId] = (this.expected[adId] ?? 0) + 1;
      clicks.push(encodeClick({ eventId: `e${this.n++}`, adId, ts: this.clock.now(), country: 'DE' }));
    }
    return this.shard.append({ clicks });
  }

  clicks(adId: string, count: number): void {
    for (let i = 0; i < count; i++) this.click(adId);
  }

  /** Runs `rounds` loop rounds of each actor, moving the clock by a round (or the back-off asked for). */
  async run(rounds: number, ...actors: ShardActor[]): Promise<void> {
    for (let r = 0; r < rounds; r++) {
      let pause = 0;
      for (const a of actors) pause = Math.max(pause, await a.iterate());
      this.clock.advance(Math.max(ROUND_MS, pause));
    }
  }

  /** Runs until everything is read and acknowledged and a flush has passed (at most `maxRounds`). */
  async settle(actor: ShardActor, maxRounds = 200): Promise<void> {
    for (let r = 0; r < maxRounds; r++) {
      await this.run(1, actor);
      if (this.shard.undelivered === 0 && this.shard.pendingCount === 0) {
        await this.run(Math.ceil(DRIVER_OPTIONS.flushIntervalMs / ROUND_MS) + 1, actor);
        return;
      }
    }
    throw new Error(`not settled: ${this.shard.undelivered} undelivered, ${this.shard.pendingCount} pending`);
  }

  /** Lets the lease of a stopped (dead or paused) owner expire. */
  leaseExpires(): void {
    this.clock.advance(DRIVER_OPTIONS.leaseTtlMs + 1);
  }
}
