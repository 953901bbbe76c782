import { RedisOptions, ServerRedis, Transport } from '@nestjs/microservices';

/** Control messages between apps (fire-and-forget pub/sub over Redis, via @nestjs/microservices). */
export const CONTROL_BUS = 'CONTROL_BUS';
export const CONTROL_EVENTS = { hotAdsChanged: 'hot-ads.changed', rebalance: 'shards.rebalance' } as const;

/** Options of the @nestjs/microservices Redis transport, from REDIS_URL; it reconnects for as long as we run. */
export function controlBusOptions(redisUrl: string): RedisOptions {
  const u = new URL(redisUrl);
  return {
    transport: Transport.REDIS,
    options: {
      host: u.hostname,
      port: Number(u.port || 6379),
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      tls: u.protocol === 'rediss:' ? {} : undefined,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      retryDelay: 1000,
    },
  };
}

/**
 * The control-bus subscriber. Shutting down while Redis is unreachable must not fail the app's shutdown: the
 * subscription holds no state worth a clean QUIT.
 */
export class ControlBusServer extends ServerRedis {
  constructor(redisUrl: string) {
    super(controlBusOptions(redisUrl).options ?? {});
  }

  override async close(): Promise<void> {
    await super.close().catch(() => undefined);
  }
}
