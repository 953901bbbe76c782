export { ClickStreamWriter, EnqueueOutcome, ShardedClick } from './click-stream-writer';
export { ClicksRedis, createRedis, REDIS } from './redis-client';
export { RedisHealthIndicator } from './redis-health.indicator';
export { RedisConnection, RedisModule } from './redis.module';
export { compareStreamIds, FencedError, ShardCheckpoint, ShardEntry, ShardStream, StreamInfo } from './shard-stream';
export { CONTROL_KEYS, GROUPS, streamKeys } from './stream-keys';
export { WorkerRegistry } from './worker-registry';
