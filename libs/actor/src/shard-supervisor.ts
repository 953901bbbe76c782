import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { AggregateWriter, ensureSchema, QuestDbConnection } from '@clicks/store';
import { ClickStreamWriter, ClicksRedis, RedisConnection, ShardStream } from '@clicks/stream';
import { ShardActor } from './shard-actor';
import { ShardStats } from './shard-stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hosts the shard actors of this worker: waits for the schema, starts one actor per shard, stops them all. */
@Injectable()
export class ShardSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ShardSupervisor.name);
  private readonly actors = new Map<number, { actor: ShardActor; reader: ClicksRedis; writer: AggregateWriter }>();
  private stopping = false;
  private booting: Promise<void> | null = null;
  private schemaReady = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
    private readonly questdb: QuestDbConnection,
  ) {}

  onApplicationBootstrap(): void {
    // Dependencies may come up later than we do: keep trying in the background, readiness says false meanwhile.
    this.booting = this.boot();
  }

  get ready(): boolean {
    return this.schemaReady && [...this.actors.values()].every(({ actor }) => actor.snapshotStats().epoch > 0);
  }

  stats(): ShardStats[] {
    return [...this.actors.values()].map(({ actor }) => actor.snapshotStats());
  }

  private async boot(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await ensureSchema(this.questdb.pool);
        this.schemaReady = true;
        break;
      } catch (e) {
        if (attempt % 10 === 1) this.log.warn(`waiting for QuestDB to create the schema: ${String(e)}`);
        await sleep(500);
      }
    }
    for (let shard = 0; shard < this.config.shards.count && !this.stopping; shard++) await this.startActor(shard);
  }

  private async startActor(shard: number): Promise<void> {
    const writer = await AggregateWriter.connect(this.config.questdb.httpUrl);
    const reader = this.redis.dedicated(`clicks-reader-s${shard}`);
    const stream = new ShardStream(shard, this.redis.client, reader);
    const ticks = new ClickStreamWriter(this.redis.client, this.config.intake.dedupHorizonSeconds);
    const a = this.config.aggregation;
    const actor = new ShardActor(shard, stream, writer, (s, t) => ticks.appendTick(s, t), {
      owner: this.config.worker.id,
      flushIntervalMs: a.flushIntervalMs,
      allowedLatenessMs: a.allowedLatenessMs,
      idleAdvanceMs: a.idleAdvanceMs,
      readBatchSize: a.readBatchSize,
      readBlockMs: a.readBlockMs,
      leaseTtlMs: a.leaseTtlMs,
    });
    this.actors.set(shard, { actor, reader, writer });
    actor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.booting;
    await Promise.all(
      [...this.actors.values()].map(async ({ actor, reader, writer }) => {
        await actor.stop();
        reader.disconnect();
        await writer.close();
      }),
    );
  }
}
