import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { shardName } from '@clicks/routing';
import { GROUPS, RedisConnection } from '@clicks/stream';
import { ShardStats } from './shard-stats';
import { ShardSupervisor } from './shard-supervisor';

export interface ShardView {
  shard: string;
  owner: string | null;
  epoch: number | null;
  leaseTtlMs: number | null;
  lastAppliedId: string | null;
  length: number;
  lag: number | null;
  pending: number;
  archiveLag: number | null;
  archivePending: number;
  trimFloor: string | null;
  /**
   * The oldest entry the aggregate group has not acknowledged, read or not (null: none). Entries are acknowledged
   * once flushed to QuestDB and checkpointed, so its append time bounds how stale the shard's counts are.
   */
  oldestUnackedId: string | null;
  /** Present when this worker hosts the shard: watermark, counters, last flush. */
  local: ShardStats | null;
}

/** The SRE view of every shard, as stored in Redis, joined with this worker's live actor statistics. */
@Injectable()
export class ShardAdminService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
    private readonly supervisor: ShardSupervisor,
  ) {}

  async list(): Promise<ShardView[]> {
    const local = new Map(this.supervisor.stats().map((s) => [s.shard, s]));
    const shards = Array.from({ length: this.config.shards.count }, (_, i) => i);
    return Promise.all(shards.map((i) => this.view(i, local.get(i) ?? null)));
  }

  /** The largest consumer-group lag (entries not yet read) among the shards this worker owns. */
  async maxOwnedLag(): Promise<number> {
    const owned = this.supervisor.workers.ownedShards;
    const infos = await Promise.all(owned.map((i) => this.redis.shardStream(i).info()));
    return Math.max(0, ...infos.map((info) => info.groups[GROUPS.aggregate]?.lag ?? 0));
  }

  private async view(shard: number, local: ShardStats | null): Promise<ShardView> {
    const stream = this.redis.shardStream(shard);
    const [lease, info, checkpoint] = await Promise.all([stream.leaseHolder(), stream.info(), stream.checkpointHead()]);
    const agg = info.groups[GROUPS.aggregate];
    const archive = info.groups[GROUPS.archive];
    const oldestUnackedId = !agg
      ? null
      : agg.pending > 0
        ? agg.oldestPendingId
        : await stream.firstEntryAfter(agg.lastDeliveredId);
    return {
      shard: shardName(shard),
      owner: lease?.owner ?? null,
      epoch: lease?.epoch ?? null,
      leaseTtlMs: lease?.ttlMs ?? null,
      lastAppliedId: checkpoint?.lastId ?? null,
      length: info.length,
      lag: agg?.lag ?? null,
      pending: agg?.pending ?? 0,
      archiveLag: archive?.lag ?? null,
      archivePending: archive?.pending ?? 0,
      trimFloor: info.trimFloor,
      oldestUnackedId,
      local,
    };
  }
}
