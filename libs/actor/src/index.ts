export { ArchiveActor } from './archive-actor';
export { Clock, ShardActor, ShardActorOptions } from './shard-actor';
export { ShardStats } from './shard-stats';
export { ShardSupervisor, WorkerView } from './shard-supervisor';
export { ShardAdminService, ShardView } from './shard-admin';
