import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClicksRedis, createRedis, REDIS } from './redis-client';
import { RedisHealthIndicator } from './redis-health.indicator';

/**
 * The process's shared Redis connection. Commands fail fast while Redis is unreachable (no offline queue), so
 * callers can answer 503 instead of hanging; concurrent commands share round trips (auto-pipelining).
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
