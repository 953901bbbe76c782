export { Clock, ShardActor, ShardActorOptions } from './shard-actor';
export { ShardStats } from './shard-stats';
export { ShardSupervisor } from './shard-supervisor';
