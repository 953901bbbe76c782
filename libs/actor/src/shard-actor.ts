import { Logger } from '@nestjs/common';
import { ClickJudge } from '@clicks/fraud';
import { shardName } from '@clicks/routing';
import { compareStreamIds, FencedError, ShardEntry } from '@clicks/stream';
import { flushRows } from './flush-rows';
import { HotAdDetector } from './hot-ad-detector';
import { LateFolder } from './late-fold';
import { LeaseKeeper } from './lease-keeper';
import { RewriteDuty } from './rewrite-duty';
import {
  AggregateSink,
  CheckpointStore,
  Clock,
  ShardActorOptions,
  ShardActorPorts,
  ShardActorStores,
  ShardLease,
  ShardLog,
} from './shard-actor.ports';
import { ShardProcessor } from './shard-processor';
import { ShardActorStats, ShardStats } from './shard-stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TRIM_INTERVAL_MS = 10_000;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 1000;
const NO_RULES = { bots: false, ipMaxPerAdMinute: 0, repeatMs: 0, minImpressionMs: 0 };

/**
 * The only writer of one ad-shard's aggregates, like a Kafka Streams StreamTask around its processor: reads the
 * shard stream through its consumer group (reads fenced by the lease epoch), lets the ShardProcessor count clicks
 * in event-time minute windows, upserts cumulative counts to QuestDB, then checkpoints {state delta, last applied
 * id} and XACKs in one Redis step fenced by epoch and the previous checkpoint. Its state is a function of the
 * stream prefix, so replaying after a crash re-writes the same values. Any read or checkpoint failure makes it
 * take over again (restore + pending replay); nothing it awaits on Redis can hang (every command has a deadline).
 */
export class ShardActor {
  private readonly log: Logger;
  private readonly processor: ShardProcessor;
  private readonly lease: LeaseKeeper;
  private backoff = BACKOFF_MIN_MS;
  /** The seq of the checkpoint restored or last written: the next checkpoint must follow it. */
  private checkpointSeq = 0;
  private lastApplied = '0-0';
  /** From a read that found nothing new: the id after which the next blocking wait looks. */
  private lastDelivered = '';
  private unacked: string[] = [];
  private lastTrimAt = 0;
  private flushOwed = false;
  private lastFlushAt = 0;
  private lastEntryAt = 0;
  private readonly lateFolder: LateFolder;
  /** The re-write owed after a takeover or a failed write of ours (a late write may still land). */
  private readonly rewrite = new RewriteDuty();
  private stopping = false;
  /** The blocklist version this owner last put in-band (0 after a takeover: a lost append is made again). */
  private blocklistSent = 0;
  private loop: Promise<void> | null = null;
  readonly stats = new ShardActorStats();
  private readonly hot: HotAdDetector;

  constructor(
    readonly shard: number,
    private readonly stores: ShardActorStores,
    private readonly ports: ShardActorPorts,
    private readonly options: ShardActorOptions,
    private readonly clock: Clock = Date,
  ) {
    this.log = new Logger(`ShardActor ${shardName(shard)}`);
    const judge = new ClickJudge(options.fraud ?? NO_RULES);
    this.processor = new ShardProcessor(options.allowedLatenessMs, options.streamTimeMaxSkewMs, judge);
    this.hot = new HotAdDetector(options.hotAdThreshold, clock.now());
    this.lease = new LeaseKeeper(shard, stores.lease, options.owner, options.leaseTtlMs, clock);
    this.lateFolder = new LateFolder(stores.checkpoints, shardName(shard));
  }

  private get epoch(): number {
    return this.lease.epoch;
  }

  private set epoch(epoch: 0) {
    this.lease.epoch = epoch;
  }

  /** The stores of a shard in production: its Redis stream (log, checkpoint, lease) and a QuestDB writer. */
  static storesOf(stream: ShardLog & CheckpointStore & ShardLease, sink: AggregateSink): ShardActorStores {
    return { log: stream, checkpoints: stream, lease: stream, sink };
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Flushes, checkpoints and releases the lease; resolves when the loop has ended (or at once, never started). */
  async stop(): Promise<void> {
    this.stopping = true;
    await (this.loop ?? this.handOff());
  }

  snapshotStats(): ShardStats {
    const view = this.stats.view(this.shard, this.epoch, this.lastApplied, this.processor.windows);
    return { ...view, blocklistVersion: this.processor.blocklistVersion };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const pause = await this.iterate();
      if (pause > 0) await sleep(pause);
    }
    await this.handOff();
  }

  /**
   * One round of the loop: a takeover (lease, restore, replay) or a step (read, apply, maybe flush). Never throws;
   * returns how long to pause before the next round (a back-off after a failure). The run loop calls it; so does the
   * unit-test driver, with a fake clock and in-memory stores.
   */
  async iterate(): Promise<number> {
    let pause = 0;
    try {
      if (this.epoch === 0) {
        if (!(await this.takeOver())) pause = this.options.readBlockMs;
      } else await this.step();
      this.backoff = BACKOFF_MIN_MS;
      this.stats.stepCompletedAt = this.clock.now();
    } catch (e) {
      if (e instanceof FencedError) {
        this.log.warn(`lost ownership: ${e.message}`);
        this.epoch = 0;
      } else {
        this.stats.errors++;
        const why = e instanceof Error ? e.message : String(e);
        this.log.warn(`step failed (retrying in ${this.backoff} ms): ${why}`);
      }
      pause = this.backoff;
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    }
    this.stats.loopIteratedAt = this.clock.now();
    return pause;
  }

  /** Takes the lease, restores the snapshot, replays pending entries and re-writes every restored window. */
  private async takeOver(): Promise<boolean> {
    if (!(await this.lease.acquire())) return false;
    const epoch = this.epoch;
    // A paused previous owner's in-flight write may still land after our first re-write: write it all once more
    // after a lease period, which outlasts any write the old owner started while its lease was valid, including its
    // windows that close meanwhile (in the replay or later). A duty still owed from before carries over.
    this.rewrite.arm(this.clock.now() + this.options.leaseTtlMs);
    try {
      await this.restoreAndReplay();
    } catch (e) {
      this.epoch = 0; // a partial recovery must start over from the checkpoint, never go on from here
      throw e;
    }
    // Restored windows close by the idle advance even if no new entry ever comes (the clock starts now).
    if (this.processor.windows.openWindowCount > 0 && this.lastEntryAt === 0) this.lastEntryAt = this.clock.now();
    this.log.log(`took over at epoch ${epoch}, last applied ${this.lastApplied}`);
    return true;
  }

  private async restoreAndReplay(): Promise<void> {
    await this.stores.log.ensureGroup();
    const cp = await this.stores.checkpoints.loadCheckpoint();
    this.processor.restore(cp);
    this.checkpointSeq = cp?.seq ?? 0;
    this.lastApplied = cp?.lastId ?? '0-0';
    this.lastDelivered = '';
    this.unacked = [];
    this.blocklistSent = 0;
    this.stats.forgetUncheckpointed();
    this.processor.windows.markAllChanged();
    for (let after = '0-0'; ;) {
      const { entries } = await this.stores.log.fencedRead(this.epoch, after, this.options.readBatchSize);
      if (entries.length === 0) break;
      this.applyAll(entries, true);
      after = entries[entries.length - 1].id;
    }
    // Entries nobody had read yet open windows no previous owner can have written.
    this.rewrite.watch(this.processor.windows.windowStarts);
    await this.flush();
  }

  private async step(): Promise<void> {
    await this.lease.renewIfDue();
    await this.followBlocklist();
    // After a failed flush, read nothing more until QuestDB has taken what is pending: memory stays bounded.
    if (this.flushOwed) await this.flush();
    let entries: ShardEntry[];
    try {
      const batch = await this.stores.log.fencedRead(this.epoch, '>', this.options.readBatchSize);
      entries = batch.entries;
      if (entries.length === 0) this.lastDelivered = batch.lastDeliveredId;
    } catch (e) {
      // A read whose answer was lost has still moved entries to our pending list: recover, which re-reads them.
      this.epoch = 0;
      throw e;
    }
    this.applyAll(entries, false);
    const now = this.clock.now();
    if (entries.length > 0) this.lastEntryAt = now;
    else await this.tickIfIdle(now);
    if (this.rewrite.fireIfDue(now)) {
      this.processor.windows.markAllChanged();
      this.lateFolder.rewriteDue();
    }
    if (this.flushDue(now)) await this.flush();
    // Idle: wait (without taking anything) until an entry arrives or the block time passes.
    if (entries.length === 0) await this.stores.log.waitForNew(this.lastDelivered, this.options.readBlockMs);
  }

  /**
   * Applies entries in order. A pending entry at or below the checkpoint's last id was never applied: a checkpoint
   * acknowledges every entry it covers in the same step, so only a reader outside the fence (an old version's
   * owner) can have left it; it is counted now, not skipped. A new entry at or below it can only come from a group
   * moved back by hand (XGROUP SETID): the checkpoint covers it, so it is skipped.
   */
  private applyAll(entries: readonly ShardEntry[], replay: boolean): void {
    // The clicks of one stream entry arrive one after another under its id: applied, or skipped, together.
    let current = '';
    let old = false;
    for (const entry of entries) {
      if (entry.id !== current) {
        current = entry.id;
        this.unacked.push(entry.id);
        old = compareStreamIds(entry.id, this.lastApplied) <= 0;
        if (!old) this.lastApplied = entry.id;
      }
      if (old) {
        if (!replay) {
          this.stats.replaySkipped++;
          continue;
        }
        this.stats.recoveredPending++;
      }
      const outcome = this.processor.process(entry, (adId) => this.hot.record(adId));
      if (outcome === 'clamped') this.stats.count('applied'); // counted, and counted apart as clamped
      if (outcome !== 'tick' && outcome !== 'control') this.stats.count(outcome);
      if (this.processor.lastVerdict !== null) this.stats.countInvalid(this.processor.lastVerdict);
    }
  }

  /**
   * Flushes fall on wall-clock multiples of the interval, so the actors of every worker flush in the same moment and
   * their writer sends their rows as one QuestDB transaction (see RequestCoalescer) instead of one per actor.
   */
  private flushDue(now: number): boolean {
    const interval = this.options.flushIntervalMs;
    return Math.floor(now / interval) > Math.floor(this.lastFlushAt / interval);
  }

  /** Upserts changed windows, then checkpoints and XACKs; nothing is acknowledged before QuestDB has the rows. */
  private async flush(): Promise<void> {
    const started = this.clock.now();
    // QuestDB cannot check fencing tokens: never write once the lease may have lapsed by our own clock, nor send
    // rows that waited in the shared writer's queue until after that point.
    const writeDeadline = this.lease.writeDeadline;
    if (started >= writeDeadline) {
      throw new FencedError(this.shard, this.epoch, 'lease not renewed in time; stopped writing');
    }
    this.flushOwed = true;
    const name = shardName(this.shard);
    const agg = this.processor.windows;
    const extra = this.rewrite.extraRows;
    const changed = extra.length > 0 ? agg.changedRows().concat(extra) : agg.changedRows();
    const records = this.processor.peekRecords();
    const late = await this.lateFolder.fold(records.lateIncrements);
    const written = flushRows(name, changed, late.rows, records.verdicts);
    try {
      await this.stores.sink.write(written, writeDeadline);
    } catch (e) {
      // A request we gave up on may still be committed after our retry: the same duty as after a takeover.
      this.rewrite.arm(this.clock.now() + this.options.leaseTtlMs, agg.windowStarts);
      throw e;
    }
    this.rewrite.written();
    this.lateFolder.written(late.rows, this.rewrite.armed);
    const delta = agg.delta();
    this.rewrite.closing(delta.closed, (starts) => agg.rowsOf(starts));
    agg.markFlushed();
    if (this.unacked.length > 0 || written.length > 0 || delta.closed.length > 0) {
      try {
        const commit = {
          epoch: this.epoch,
          seq: this.checkpointSeq,
          lastId: this.lastApplied,
          late: records.late,
          deadLetters: records.deadLetters,
          ids: this.unacked,
          lateCells: late.cells,
          lateTtlMs: this.options.lateRetentionMs,
          blocklist: records.blocklist,
        };
        const saved = await this.stores.checkpoints.checkpoint(delta, commit);
        this.checkpointSeq = saved.seq;
        this.stats.checkpointCells = saved.cells;
      } catch (e) {
        // The delta is lost with the failed call: the state goes on only from the last checkpoint (a takeover).
        this.epoch = 0;
        throw e;
      }
      this.processor.takeRecords();
      this.unacked = [];
      this.stats.checkpointed();
    }
    this.flushOwed = false;
    this.lastFlushAt = this.clock.now();
    this.stats.recordFlush(written.length, this.lastFlushAt - started, this.lastFlushAt);
    this.ports.flushed(written.length, this.lastFlushAt - started);
    await this.trimIfDue();
    const hot = this.hot.hotSince(this.lastFlushAt);
    if (hot.length > 0) await this.ports.reportHotAds(this.shard, hot).catch(() => undefined);
  }

  /**
   * Trims the stream below what every group acknowledged; the floor is shown in the admin view. Right after a
   * checkpoint nothing of ours is pending: an entry that is was delivered by a read whose answer we never got, so
   * recover (the replay counts it) instead of letting it pin the trim point.
   */
  private async trimIfDue(): Promise<void> {
    if (this.lastFlushAt - this.lastTrimAt < TRIM_INTERVAL_MS) return;
    this.lastTrimAt = this.lastFlushAt;
    if (this.unacked.length === 0 && this.epoch !== 0) {
      const left = await this.stores.log.oldestPending();
      if (left !== null) {
        this.stats.pendingSweeps++;
        this.log.warn(`entry ${left} is pending but was never applied: recovering to count it`);
        this.epoch = 0;
      }
    }
    this.stats.trimFloor = await this.stores.log.trim();
  }

  /**
   * Puts a newer operator blocklist into the stream: clicks after it are judged by it, on every replay alike. An
   * older owner's late append of an older version is ignored by the processor (versions only move forward).
   */
  private async followBlocklist(): Promise<void> {
    const wanted = this.ports.currentBlocklist?.();
    if (!wanted || wanted.version <= this.processor.blocklistVersion || wanted.version === this.blocklistSent) return;
    await this.stores.log.appendBlocklist(JSON.stringify({ version: wanted.version, cidrs: wanted.cidrs }));
    this.blocklistSent = wanted.version;
  }

  private async tickIfIdle(now: number): Promise<void> {
    if (this.lastEntryAt === 0 || now - this.lastEntryAt < this.options.idleAdvanceMs) return;
    if (now <= this.processor.windows.observedStreamTime) return;
    this.lastEntryAt = now;
    await this.stores.log.appendTick(now);
  }

  private async handOff(): Promise<void> {
    if (!this.lease.held) return;
    const epoch = this.lease.lastEpoch;
    try {
      // After a failure (epoch 0) there is nothing consistent to flush; the next owner recovers from the checkpoint.
      if (this.epoch !== 0) await this.flush();
      // A no-op if another owner has taken the lease since (the script checks the epoch).
      await this.lease.release();
      this.log.log(`handed off at epoch ${epoch}`);
    } catch (e) {
      this.log.warn(`hand-off incomplete, the next owner recovers from the checkpoint: ${String(e)}`);
    }
    this.epoch = 0;
  }
}
