import { Injectable, OnModuleInit } from '@nestjs/common';
import { ClickMetrics } from '@clicks/metrics';
import { ShardAdminService } from './shard-admin';

/** Mirrors the shard view into Prometheus gauges at scrape time (labels: shard and a fixed kind, never an ad). */
@Injectable()
export class ShardMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: ClickMetrics,
    private readonly admin: ShardAdminService,
  ) {}

  onModuleInit(): void {
    this.metrics.beforeScrape(() => this.refresh());
  }

  private async refresh(): Promise<void> {
    const g = this.metrics.shardGauge;
    const now = Date.now();
    for (const v of await this.admin.list()) {
      const shard = v.shard;
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
      const e = this.metrics.shardEvents;
      e.set({ shard, outcome: 'applied' }, local.applied);
      e.set({ shard, outcome: 'late' }, local.late);
      e.set({ shard, outcome: 'malformed' }, local.malformed);
      e.set({ shard, outcome: 'archived' }, local.archived ?? 0);
    }
  }
}
