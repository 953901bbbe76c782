import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickStreamWriter } from './click-stream-writer';
import { GroupCommitOptions } from './group-commit';
import { BlocklistStore } from './blocklist-store';
import { HotAdRegistry } from './hot-ad-registry';
import { LateEventLog } from './late-event-log';
import { ClicksRedis, createRedis, REDIS } from './redis-client';
import { RedisHealthIndicator } from './redis-health.indicator';
import { ShardStream } from './shard-stream';
import { GROUPS } from './stream-keys';
import { WorkerRegistry } from './worker-registry';

/** A shard stream read through its own (blocking-capable) connection; `close` ends that connection. */
export interface ShardReader {
  stream: ShardStream;
  close(): void;
}

/**
 * The process's shared Redis connection, and the one place that hands out the repositories built on it (Immich
 * style: consumers get a repository with one job, never the client). Commands fail fast while Redis is unreachable
 * (no offline queue) and time out, so callers can answer 503 instead of hanging; concurrent commands share round
 * trips (auto-pipelining).
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: ClicksRedis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = createRedis(config.redis, `clicks-${config.worker.id}`, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      commandTimeout: config.redis.commandTimeoutMs + config.redis.waitTimeoutMs,
      writeConcern: { replicas: config.redis.waitReplicas, timeoutMs: config.redis.waitTimeoutMs },
    });
  }

  /**
   * A dedicated connection (to one Redis, or a cluster client of its own), e.g. for a blocking XREADGROUP or a
   * subscription. The caller closes it.
   */
  dedicated(name: string, blockMs = 0): ClicksRedis {
    // Readers re-read their pending entries after a failed read (see ShardActor, ArchiveActor.run). A command in
    // flight when the connection drops is not sent again, and fails at the latest after its block time plus the
    // command timeout: nothing waits on Redis forever.
    return createRedis(this.config.redis, name, {
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
      commandTimeout: blockMs + this.config.redis.commandTimeoutMs,
    });
  }

  /** A shard's stream on the shared connection: views, checkpoint heads, leases (no blocking reads). */
  shardStream(shard: number, group: string = GROUPS.aggregate): ShardStream {
    return new ShardStream(shard, this.client, this.client, group);
  }

  /** A shard's stream for its consumer: blocking waits go over a dedicated connection with a deadline. */
  shardReader(shard: number, group: string, blockMs: number): ShardReader {
    const reader = this.dedicated(`clicks-${group === GROUPS.aggregate ? 'agg' : group}-s${shard}`, blockMs);
    return { stream: new ShardStream(shard, this.client, reader, group), close: () => reader.disconnect() };
  }

  hotAdRegistry(): HotAdRegistry {
    return new HotAdRegistry(this.client);
  }

  blocklist(): BlocklistStore {
    return new BlocklistStore(this.client);
  }

  workerRegistry(): WorkerRegistry {
    return new WorkerRegistry(this.client);
  }

  lateEventLog(): LateEventLog {
    return new LateEventLog(this.client);
  }

  /** Intake's de-dup + append path, with its group commit and the deployment's write concern. */
  clickStreamWriter(dedupHorizonSeconds: number, groupCommit?: GroupCommitOptions): ClickStreamWriter {
    return new ClickStreamWriter(this.client, dedupHorizonSeconds, groupCommit);
  }

  /** Redis's memory use and limit (INFO memory), for the metrics: maxmemory 0 means unlimited. */
  async memory(): Promise<{ usedBytes: number; maxBytes: number }> {
    const info = await this.client.info('memory');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return { usedBytes: field('used_memory'), maxBytes: field('maxmemory') };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

@Global()
@Module({
  imports: [TerminusModule],
  providers: [
    RedisConnection,
    { provide: REDIS, useFactory: (c: RedisConnection) => c.client, inject: [RedisConnection] },
    RedisHealthIndicator,
  ],
  exports: [RedisConnection, REDIS, RedisHealthIndicator],
})
export class RedisModule {}
