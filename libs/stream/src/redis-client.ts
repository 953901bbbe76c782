import Redis, { RedisOptions } from 'ioredis';
import { ACQUIRE_LEASE, CHECKPOINT, ENQUEUE_CLICK, HEARTBEAT, RELEASE_LEASE } from './lua-scripts';

/** ioredis with this project's scripts registered as commands (EVALSHA, loading the script when missing). */
export interface ClicksRedis extends Redis {
  enqueueClick(
    stream: string,
    seenKey: string,
    horizonSeconds: number,
    field: string,
    payload: string,
  ): Promise<string | null>;
  acquireLease(leaseKey: string, epochKey: string, owner: string, ttlMs: number): Promise<number>;
  releaseLease(leaseKey: string, epoch: number): Promise<number>;
  checkpoint(
    stream: string,
    cpKey: string,
    leaseKey: string,
    lateKey: string,
    ...args: (string | number)[]
  ): Promise<number>;
  heartbeat(workersKey: string, worker: string, ttlMs: number): Promise<string[]>;
}

export function createRedis(url: string, name: string, options: RedisOptions = {}): ClicksRedis {
  const redis = new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    ...options,
  });
  redis.on('error', () => {
    // Reconnection is automatic; readiness reports the outage. Without a listener ioredis logs every retry.
  });
  redis.defineCommand('enqueueClick', { numberOfKeys: 2, lua: ENQUEUE_CLICK });
  redis.defineCommand('acquireLease', { numberOfKeys: 2, lua: ACQUIRE_LEASE });
  redis.defineCommand('releaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE });
  redis.defineCommand('checkpoint', { numberOfKeys: 4, lua: CHECKPOINT });
  redis.defineCommand('heartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  return redis as ClicksRedis;
}

/** Injection token of the process's shared Redis connection. */
export const REDIS = Symbol('REDIS');
