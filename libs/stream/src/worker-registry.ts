import { ClicksRedis } from './redis-client';
import { CONTROL_KEYS } from './stream-keys';

/** Aggregator workers announce themselves with heartbeats (on Redis's clock); SREs drain them before maintenance. */
export class WorkerRegistry {
  constructor(private readonly redis: ClicksRedis) {}

  /** Marks `workerId` alive for `ttlMs` and returns every live worker (sorted). */
  async heartbeat(workerId: string, ttlMs: number): Promise<string[]> {
    return (await this.redis.heartbeat(CONTROL_KEYS.workers, workerId, ttlMs)).sort();
  }

  async leave(workerId: string): Promise<void> {
    await this.redis.zrem(CONTROL_KEYS.workers, workerId);
  }

  async drain(workerId: string): Promise<void> {
    await this.redis.sadd(CONTROL_KEYS.drained, workerId);
  }

  async undrain(workerId: string): Promise<void> {
    await this.redis.srem(CONTROL_KEYS.drained, workerId);
  }

  async drained(): Promise<string[]> {
    return (await this.redis.smembers(CONTROL_KEYS.drained)).sort();
  }
}
