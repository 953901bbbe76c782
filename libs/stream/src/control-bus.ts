import { RedisOptions, Transport } from '@nestjs/microservices';

/** Control messages between apps (fire-and-forget pub/sub over Redis, via @nestjs/microservices). */
export const CONTROL_BUS = 'CONTROL_BUS';
export const CONTROL_EVENTS = { hotAdsChanged: 'hot-ads.changed', rebalance: 'shards.rebalance' } as const;

/** Options of the @nestjs/microservices Redis transport, from REDIS_URL. */
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
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    },
  };
}
