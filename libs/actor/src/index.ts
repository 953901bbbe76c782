export { ArchiveActor } from './archive-actor';
export { ShardActor } from './shard-actor';
export { Clock, HotAdReport, ShardActorOptions, ShardActorPorts } from './shard-actor.ports';
export { ShardStats } from './shard-stats';
export { ShardSupervisor, WorkerView } from './shard-supervisor';
export { ShardAdminService, ShardView } from './shard-admin';
export { HotAdAdminService } from './hot-ad-admin.service';
export { ShardMetrics } from './shard-metrics';
export { BlocklistService } from './blocklist.service';
