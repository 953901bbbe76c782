import { WindowAggregator } from '@clicks/windowing';

export interface ShardStats {
  shard: number;
  epoch: number;
  lastAppliedId: string;
  observedStreamTime: string | null;
  openWindows: number;
  applied: number;
  late: number;
  malformed: number;
  replaySkipped: number;
  errors: number;
  flushes: number;
  lastFlushRows: number;
  lastFlushMs: number;
  lastFlushAt: string | null;
  checkpointCells: number;
  trimFloor: string | null;
  archived?: number;
}

/** Counters of one actor: every entry it did not count is counted here (late, malformed, skipped on replay). */
export class ShardActorStats {
  applied = 0;
  late = 0;
  malformed = 0;
  replaySkipped = 0;
  errors = 0;
  flushes = 0;
  lastFlushRows = 0;
  lastFlushMs = 0;
  lastFlushAt = 0;
  checkpointCells = 0;
  trimFloor: string | null = null;

  recordFlush(rows: number, durationMs: number, at: number): void {
    this.flushes++;
    this.lastFlushRows = rows;
    this.lastFlushMs = durationMs;
    this.lastFlushAt = at;
  }

  view(shard: number, epoch: number, lastAppliedId: string, agg: WindowAggregator): ShardStats {
    const ost = agg.observedStreamTime;
    return {
      shard,
      epoch,
      lastAppliedId,
      observedStreamTime: Number.isFinite(ost) ? new Date(ost).toISOString() : null,
      openWindows: agg.openWindowCount,
      applied: this.applied,
      late: this.late,
      malformed: this.malformed,
      replaySkipped: this.replaySkipped,
      errors: this.errors,
      flushes: this.flushes,
      lastFlushRows: this.lastFlushRows,
      lastFlushMs: this.lastFlushMs,
      lastFlushAt: this.lastFlushAt ? new Date(this.lastFlushAt).toISOString() : null,
      checkpointCells: this.checkpointCells,
      trimFloor: this.trimFloor,
    };
  }
}
