export { ClickStreamWriter, EnqueueOutcome, ReplicationError, ShardedClick } from './click-stream-writer';
export {
  ClicksRedis,
  ConnectionOptions,
  createRedis,
  scanKeys,
  REDIS,
  RedisTarget,
  WriteConcern,
  writeConcernOf,
} from './redis-client';
export { RedisHealthIndicator } from './redis-health.indicator';
export { RedisConnection, RedisModule, ShardReader } from './redis.module';
export { CheckpointCommit, lateCellKey, ShardCheckpoint, StateDelta, WindowCells } from './shard-checkpoint';
export { FencedBatch, FencedError, ShardEntry, ShardStream, StreamInfo } from './shard-stream';
export { compareStreamIds } from './stream-ids';
export { clickEntryFields, clicksOfEntry, CONTROL_KEYS, GROUPS, streamKeys } from './stream-keys';
export { WorkerRegistry } from './worker-registry';
export { CONTROL_BUS, CONTROL_EVENTS, ControlBusClient, controlBusOptions, ControlBusServer } from './control-bus';
export { HotAdCandidate, HotAdRegistry } from './hot-ad-registry';
export { BlocklistEntry, BlocklistSnapshot, BlocklistStore } from './blocklist-store';
export { HotAdRoutes } from './hot-ad-routes';
export { HotAdRoutesListener } from './hot-ad-routes.listener';
export { BackpressureError, GroupCommitOptions } from './group-commit';
export { LateEventLog, LateLogEntry } from './late-event-log';
export { StaleOnErrorCache } from './stale-on-error-cache';
