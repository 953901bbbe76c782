export { HotAdEntry, HotAdTable, MAX_SALTS } from './hot-ads';
export { assignShards } from './shard-assignment';
export { routingKey, saltFor, saltKeyOf, shardName, ShardRouter } from './shard-router';
