import { Injectable, OnModuleInit } from '@nestjs/common';
import { ClickMetrics } from '@clicks/metrics';
import { RedisConnection } from '@clicks/stream';
import { ShardAdminService } from './shard-admin';

/** Mirrors the shard view into Prometheus gauges at scrape time (labels: shard and a fixed kind, never an ad). */
@Injectable()
export class ShardMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: ClickMetrics,
    private readonly admin: ShardAdminService,
    private readonly redis: RedisConnection,
  ) {}

  onModuleInit(): void {
    this.metrics.beforeScrape(() => this.refresh());
  }

  private async refresh(): Promise<void> {
    const g = this.metrics.shardGauge;
    const now = Date.now();
    const memory = await this.redis.memory().catch(() => null);
    if (memory) {
      this.metrics.redisMemoryUsed.set(memory.usedBytes);
      this.metrics.redisMemoryMax.set(memory.maxBytes);
    }
    for (const v of await this.admin.list()) {
      const shard = v.shard;
      const floorMs = v.trimFloor ? Number(v.trimFloor.split('-')[0]) : 0;
      if (floorMs > 0) this.metrics.shardTrimFloorAge.set({ shard }, Math.max(0, (now - floorMs) / 1000));
      g.set({ shard, kind: 'stream_length' }, v.length);
      g.set({ shard, kind: 'lag' }, v.lag ?? 0);
      g.set({ shard, kind: 'pending' }, v.pending);
      g.set({ shard, kind: 'archive_lag' }, v.archiveLag ?? 0);
      const local = v.local;
      g.set({ shard, kind: 'owned' }, local && local.epoch > 0 ? 1 : 0);
      if (!local) continue;
      const watermark = local.observedStreamTime ? Date.parse(local.observedStreamTime) : null;
      if (watermark !== null) g.set({ shard, kind: 'watermark_delay_seconds' }, Math.max(0, (now - watermark) / 1000));
      g.set({ shard, kind: 'open_windows' }, local.openWindows);
      g.set({ shard, kind: 'checkpoint_cells' }, local.checkpointCells);
      const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : 0);
      this.metrics.shardProgress.set({ shard }, seconds(local.stepCompletedAt));
      this.metrics.shardLastApplied.set({ shard }, seconds(local.lastAppliedEntryAt));
      const e = this.metrics.shardEvents;
      e.set({ shard, outcome: 'applied' }, local.applied);
      e.set({ shard, outcome: 'invalid' }, local.invalid);
      for (const [reason, n] of Object.entries(local.invalidByReason)) {
        this.metrics.shardInvalidClicks.set({ shard, reason }, n);
      }
      e.set({ shard, outcome: 'late' }, local.late);
      e.set({ shard, outcome: 'malformed' }, local.malformed);
      e.set({ shard, outcome: 'trimmed' }, local.trimmed);
      e.set({ shard, outcome: 'clamped' }, local.clamped);
      e.set({ shard, outcome: 'recovered_pending' }, local.recoveredPending);
      e.set({ shard, outcome: 'archived' }, local.archived ?? 0);
    }
  }
}
