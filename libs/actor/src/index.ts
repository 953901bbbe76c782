export { ArchiveActor } from './archive-actor';
export { Clock, HotAdReport, ShardActor, ShardActorOptions, ShardActorPorts } from './shard-actor';
export { ShardStats } from './shard-stats';
export { ShardSupervisor, WorkerView } from './shard-supervisor';
export { ShardAdminService, ShardView } from './shard-admin';
export { HotAdAdminService } from './hot-ad-admin.service';
export { ShardMetrics } from './shard-metrics';
