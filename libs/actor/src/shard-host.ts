import { AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { AggregateWriter, RawArchiveWriter } from '@clicks/store';
import { shardName } from '@clicks/routing';
import { ClicksRedis, GROUPS, HotAdRegistry, RedisConnection, ShardStream } from '@clicks/stream';
import { ArchiveActor } from './archive-actor';
import { ShardActor, ShardActorPorts } from './shard-actor';
import { ShardStats } from './shard-stats';

/** Everything one worker runs for one shard: the aggregating actor and the archive actor, with their connections. */
export class ShardHost {
  private constructor(
    private readonly actor: ShardActor,
    private readonly archiver: ArchiveActor,
    private readonly readers: ClicksRedis[],
    private readonly writer: AggregateWriter,
    private readonly rawWriter: RawArchiveWriter,
  ) {}

  static async start(
    shard: number,
    config: AppConfig,
    redis: RedisConnection,
    owner: string,
    metrics: ClickMetrics,
  ): Promise<ShardHost> {
    const a = config.aggregation;
    const writer = await AggregateWriter.connect(config.questdb.httpUrl, Math.floor(a.leaseTtlMs / 2));
    const rawWriter = await RawArchiveWriter.connect(config.questdb.httpUrl);
    const readers = [redis.dedicated(`clicks-agg-s${shard}`), redis.dedicated(`clicks-archive-s${shard}`)];
    const hotAds = new HotAdRegistry(redis.client);
    const ports: ShardActorPorts = {
      reportHotAds: (s, ads) =>
        hotAds.reportCandidates(ads.map((a) => ({ ...a, shard: shardName(s), at: Date.now() }))),
      flushed: (rows, ms) => {
        metrics.flushSeconds.observe(ms / 1000);
        metrics.flushRows.inc(rows);
      },
    };
    const actor = new ShardActor(
      shard,
      new ShardStream(shard, redis.client, readers[0], GROUPS.aggregate),
      writer,
      ports,
      {
        hotAdThreshold: config.hotAds.thresholdPerSecond,
        owner,
        flushIntervalMs: a.flushIntervalMs,
        allowedLatenessMs: a.allowedLatenessMs,
        idleAdvanceMs: a.idleAdvanceMs,
        readBatchSize: a.readBatchSize,
        readBlockMs: a.readBlockMs,
        leaseTtlMs: a.leaseTtlMs,
      },
    );
    const archiveStream = new ShardStream(shard, redis.client, readers[1], GROUPS.archive);
    const archiver = new ArchiveActor(shard, archiveStream, rawWriter, a.readBatchSize, a.readBlockMs);
    actor.start();
    archiver.start();
    return new ShardHost(actor, archiver, readers, writer, rawWriter);
  }

  get owned(): boolean {
    return this.actor.snapshotStats().epoch > 0;
  }

  stats(): ShardStats {
    return { ...this.actor.snapshotStats(), archived: this.archiver.stats.archived };
  }

  /** Hand-off: the actor flushes, checkpoints and releases its lease; then connections close. */
  async stop(): Promise<void> {
    await Promise.all([this.actor.stop(), this.archiver.stop()]);
    for (const r of this.readers) r.disconnect();
    await Promise.all([this.writer.close(), this.rawWriter.close()]);
  }
}
