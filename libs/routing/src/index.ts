export { assignShards } from './shard-assignment';
export { routingKey, saltFor, shardName, ShardRouter } from './shard-router';
