import { Injectable, OnModuleInit } from '@nestjs/common';
import { ClickMetrics, CounterMirror } from '@clicks/metrics';
import { RedisConnection } from '@clicks/stream';
import { ShardAdminService } from './shard-admin';

const appendSeconds = (id: string) => Number(id.split('-')[0]) / 1000;

/** Mirrors the shard view into Prometheus gauges and counters at scrape time (labels: shard, never an ad). */
@Injectable()
export class ShardMetrics implements OnModuleInit {
  private readonly events: CounterMirror<'shard' | 'outcome'>;
  private readonly invalid: CounterMirror<'shard' | 'reason'>;

  constructor(
    private readonly metrics: ClickMetrics,
    private readonly admin: ShardAdminService,
    private readonly redis: RedisConnection,
  ) {
    this.events = new CounterMirror(metrics.shardEvents);
    this.invalid = new CounterMirror(metrics.shardInvalidClicks);
  }

  onModuleInit(): void {
    this.metrics.beforeScrape(() => this.refresh());
  }

  private async refresh(): Promise<void> {
    const m = this.metrics;
    const now = Date.now() / 1000;
    const memory = await this.redis.memory().catch(() => null);
    if (memory) {
      m.redisMemoryUsed.set(memory.usedBytes);
      m.redisMemoryMax.set(memory.maxBytes);
    }
    for (const v of await this.admin.list()) {
      const shard = v.shard;
      if (v.trimFloor && v.trimFloor !== '0-0') {
        m.shardTrimFloorAge.set({ shard }, Math.max(0, now - appendSeconds(v.trimFloor)));
      }
      m.shardStreamEntries.set({ shard }, v.length);
      m.shardLagEntries.set({ shard }, v.lag ?? 0);
      m.shardPendingEntries.set({ shard }, v.pending);
      m.shardArchiveLagEntries.set({ shard }, v.archiveLag ?? 0);
      m.shardUnflushedAge.set({ shard }, v.oldestUnackedId ? Math.max(0, now - appendSeconds(v.oldestUnackedId)) : 0);
      const local = v.local;
      m.shardOwned.set({ shard }, local && local.epoch > 0 ? 1 : 0);
      // The actor's own gauges leave with it: a stale progress time would look like a stalled loop.
      const actorGauges = [
        m.shardWatermarkDelay,
        m.shardOpenWindows,
        m.shardCheckpointCells,
        m.shardProgress,
        m.shardLastApplied,
      ];
      if (!local) {
        for (const g of actorGauges) g.remove({ shard });
        continue;
      }
      const watermark = local.observedStreamTime ? Date.parse(local.observedStreamTime) / 1000 : null;
      if (watermark !== null) m.shardWatermarkDelay.set({ shard }, Math.max(0, now - watermark));
      m.shardOpenWindows.set({ shard }, local.openWindows);
      m.shardCheckpointCells.set({ shard }, local.checkpointCells);
      const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : 0);
      m.shardProgress.set({ shard }, seconds(local.stepCompletedAt));
      m.shardLastApplied.set({ shard }, seconds(local.lastAppliedEntryAt));
      const source = local.countersSince ?? '';
      const outcomes = {
        applied: local.applied,
        invalid: local.invalid,
        late: local.late,
        malformed: local.malformed,
        trimmed: local.trimmed,
        clamped: local.clamped,
        recovered_pending: local.recoveredPending,
        archived: local.archived ?? 0,
      };
      for (const [outcome, n] of Object.entries(outcomes)) this.events.set({ shard, outcome }, n, source);
      for (const [reason, n] of Object.entries(local.invalidByReason)) this.invalid.set({ shard, reason }, n, source);
    }
  }
}
