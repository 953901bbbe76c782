import { AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { AggregateWriter, RawArchiveWriter } from '@clicks/store';
import { shardName } from '@clicks/routing';
import { BlocklistSnapshot, GROUPS, RedisConnection, ShardReader } from '@clicks/stream';
import { ArchiveActor } from './archive-actor';
import { ShardActor } from './shard-actor';
import { ShardActorPorts } from './shard-actor.ports';
import { ShardStats } from './shard-stats';

/** The QuestDB writers of a worker process, shared by all its shards' actors (their writes are coalesced). */
export interface WorkerWriters {
  aggregates: AggregateWriter;
  raw: RawArchiveWriter;
}

/** Which of a shard's consumers a host runs (AGGREGATOR_ROLES). */
export interface HostRoles {
  aggregate: boolean;
  archive: boolean;
}

/**
 * Everything one worker runs for one shard, with its Redis readers: the aggregating actor and/or the archive actor
 * (an archive-only process hosts every shard's archive actor and no aggregating actor).
 */
export class ShardHost {
  private readonly startedAt = Date.now();

  private constructor(
    private readonly actor: ShardActor | null,
    private readonly archiver: ArchiveActor | null,
    private readonly readers: ShardReader[],
  ) {}

  static start(
    shard: number,
    config: AppConfig,
    redis: RedisConnection,
    owner: string,
    metrics: ClickMetrics,
    writers: WorkerWriters,
    roles: HostRoles,
    currentBlocklist: () => BlocklistSnapshot | null,
  ): ShardHost {
    const a = config.aggregation;
    const readers: ShardReader[] = [];
    let actor: ShardActor | null = null;
    if (roles.aggregate) {
      const reader = redis.shardReader(shard, GROUPS.aggregate, a.readBlockMs);
      readers.push(reader);
      const hotAds = redis.hotAdRegistry();
      const ports: ShardActorPorts = {
        reportHotAds: (s, ads) =>
          hotAds.reportCandidates(ads.map((a) => ({ ...a, shard: shardName(s), at: Date.now() }))),
        currentBlocklist,
        flushed: (rows, ms) => {
          metrics.flushSeconds.observe(ms / 1000);
          metrics.flushRows.inc(rows);
        },
      };
      actor = new ShardActor(shard, ShardActor.storesOf(reader.stream, writers.aggregates), ports, {
        hotAdThreshold: config.hotAds.thresholdPerSecond,
        owner,
        flushIntervalMs: a.flushIntervalMs,
        allowedLatenessMs: a.allowedLatenessMs,
        streamTimeMaxSkewMs: a.streamTimeMaxSkewMs,
        idleAdvanceMs: a.idleAdvanceMs,
        readBatchSize: a.readBatchSize,
        readBlockMs: a.readBlockMs,
        leaseTtlMs: a.leaseTtlMs,
        lateRetentionMs: config.intake.retentionMs + 86_400_000,
        fraud: a.fraud,
      });
    }
    let archiver: ArchiveActor | null = null;
    if (roles.archive) {
      const reader = redis.shardReader(shard, GROUPS.archive, a.readBlockMs);
      readers.push(reader);
      archiver = new ArchiveActor(shard, reader.stream, writers.raw, a.readBatchSize, a.readBlockMs);
    }
    actor?.start();
    archiver?.start();
    return new ShardHost(actor, archiver, readers);
  }

  /** Whether the aggregating actor holds its lease (always true without one). */
  get owned(): boolean {
    return this.actor ? this.actor.snapshotStats().epoch > 0 : true;
  }

  /**
   * How long ago (ms) the aggregating actor last completed a step, and last came round its loop at all (a failed
   * step counts); 0 without an actor. Counted from the host's start before the first one.
   */
  progressAge(now: number): { step: number; loop: number } {
    if (!this.actor) return { step: 0, loop: 0 };
    const { stepCompletedAt, loopIteratedAt } = this.actor.stats;
    return { step: now - (stepCompletedAt || this.startedAt), loop: now - (loopIteratedAt || this.startedAt) };
  }

  /** The aggregating actor's view with the archive count; null on an archive-only host. */
  stats(): ShardStats | null {
    if (!this.actor) return null;
    const countersSince = new Date(this.startedAt).toISOString();
    return { ...this.actor.snapshotStats(), archived: this.archiver?.stats.archived, countersSince };
  }

  get archived(): number {
    return this.archiver?.stats.archived ?? 0;
  }

  /** Hand-off: the actor flushes, checkpoints and releases its lease; then its Redis readers close. */
  async stop(): Promise<void> {
    await Promise.all([this.actor?.stop(), this.archiver?.stop()]);
    for (const r of this.readers) r.close();
  }
}
