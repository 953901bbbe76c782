import { CountByReason, InvalidReason, noInvalidClicks } from '@clicks/fraud';
import { WindowAggregator } from '@clicks/windowing';
import { appendTimeOf, EntryOutcome } from './shard-processor';

type CountedOutcome = Exclude<EntryOutcome, 'tick' | 'control'>;
const NO_OUTCOMES: Record<CountedOutcome, number> = {
  applied: 0,
  clamped: 0,
  invalid: 0,
  late: 0,
  malformed: 0,
  trimmed: 0,
};

export interface ShardStats {
  shard: number;
  epoch: number;
  lastAppliedId: string;
  observedStreamTime: string | null;
  openWindows: number;
  applied: number;
  /** Clicks counted apart as not billable, in all and per reason (late ones included). */
  invalid: number;
  invalidByReason: CountByReason;
  late: number;
  malformed: number;
  /** Counted clicks stamped ahead of their append time by more than STREAM_TIME_MAX_SKEW_MS (stream time clamped). */
  clamped: number;
  /** Pending entries whose body was trimmed before they were counted (dead-lettered). */
  trimmed: number;
  replaySkipped: number;
  /** Pending entries below the checkpoint found at a takeover (never applied: counted then). */
  recoveredPending: number;
  /** Times a pending entry nobody held was found after a checkpoint, and recovered. */
  pendingSweeps: number;
  errors: number;
  /** When the loop last completed a step, and last came round at all (ISO; null before). */
  stepCompletedAt: string | null;
  loopIteratedAt: string | null;
  /** The append time (entry id) of the last entry applied (ISO; null before). */
  lastAppliedEntryAt: string | null;
  flushes: number;
  lastFlushRows: number;
  lastFlushMs: number;
  lastFlushAt: string | null;
  checkpointCells: number;
  trimFloor: string | null;
  archived?: number;
  /** When the host of these counters started (ISO): a shard that comes back to a worker counts from zero again. */
  countersSince?: string;
  /** The version of the ip blocklist in force in this shard's stream (0: none yet). */
  blocklistVersion?: number;
}

/** Counters of one actor: every entry it did not count is counted here (late, malformed, skipped on replay). */
export class ShardActorStats {
  applied = 0;
  invalid = 0;
  invalidByReason = noInvalidClicks();
  private uncheckpointedInvalid = noInvalidClicks();
  late = 0;
  malformed = 0;
  clamped = 0;
  trimmed = 0;
  replaySkipped = 0;
  recoveredPending = 0;
  pendingSweeps = 0;
  errors = 0;
  stepCompletedAt = 0;
  loopIteratedAt = 0;
  /** Outcomes counted since the last checkpoint: a takeover replays those entries and counts them again. */
  private uncheckpointed: Record<CountedOutcome, number> = { ...NO_OUTCOMES };

  count(outcome: CountedOutcome): void {
    this[outcome]++;
    this.uncheckpointed[outcome]++;
  }

  /** A click judged invalid (its outcome, `invalid` or `late`, is counted apart). */
  countInvalid(reason: InvalidReason): void {
    this.invalidByReason[reason]++;
    this.uncheckpointedInvalid[reason]++;
  }

  /** The counted outcomes are checkpointed: they stay. */
  checkpointed(): void {
    this.uncheckpointed = { ...NO_OUTCOMES };
    this.uncheckpointedInvalid = noInvalidClicks();
  }

  /** A takeover replays what was not checkpointed: summed over workers, the counters then say N exactly. */
  forgetUncheckpointed(): void {
    for (const k of Object.keys(NO_OUTCOMES) as CountedOutcome[]) this[k] -= this.uncheckpointed[k];
    for (const k of Object.keys(this.invalidByReason) as InvalidReason[]) {
      this.invalidByReason[k] -= this.uncheckpointedInvalid[k];
    }
    this.checkpointed();
  }
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
      invalid: this.invalid,
      invalidByReason: { ...this.invalidByReason },
      late: this.late,
      malformed: this.malformed,
      clamped: this.clamped,
      trimmed: this.trimmed,
      replaySkipped: this.replaySkipped,
      recoveredPending: this.recoveredPending,
      pendingSweeps: this.pendingSweeps,
      errors: this.errors,
      stepCompletedAt: iso(this.stepCompletedAt),
      loopIteratedAt: iso(this.loopIteratedAt),
      lastAppliedEntryAt: iso(appendTimeOf(lastAppliedId)),
      flushes: this.flushes,
      lastFlushRows: this.lastFlushRows,
      lastFlushMs: this.lastFlushMs,
      lastFlushAt: iso(this.lastFlushAt),
      checkpointCells: this.checkpointCells,
      trimFloor: this.trimFloor,
    };
  }
}

const iso = (ms: number): string | null => (ms ? new Date(ms).toISOString() : null);
