import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { shardName } from '@clicks/routing';
import { ReconciliationRepository } from '@clicks/store';
import { LateEventLog, RedisConnection, ShardStream } from '@clicks/stream';
import { LateRecordTally } from './late-record-tally';
import {
  addTally,
  mismatchedPairs,
  MinuteShardTallies,
  ReconciledMinute,
  reconcileMinutes,
  ReconciliationSummary,
  ShardProgress,
  summarize,
} from './minute-reconciliation';

/**
 * Late records one request reads at most over all shards; beyond, it stops and says so. Reading costs the aggregator
 * about 5 µs of CPU per record (a million took 4.8 s), on the event loop its shard actors share.
 */
const LATE_SCAN_MAX_RECORDS = 250_000;

export interface ReconcileRange {
  from: number;
  to: number;
}

/** A shard whose late records could not all be read: trimmed before a time, or not read to the end (budget). */
export interface IncompleteLateRecords {
  shard: string;
  reason: 'trimmed' | 'scan budget';
  /** Late clicks before this time may be missing; null: of any time. */
  before: string | null;
}

export interface ReconciliationReport {
  from: string;
  to: string;
  adId: string | null;
  /** Minutes ending after this are `pending`, as are those not yet closed on their shard. */
  settledBefore: string;
  /** Whether mismatches were read a second time (after a few flush intervals) to confirm them. */
  confirmed: boolean;
  incompleteLateRecords: IncompleteLateRecords[];
  /** Late-stream entries that could not be read as late records. */
  unreadableLateRecords: number;
  summary: ReconciliationSummary;
  minutes: (Omit<ReconciledMinute, 'minute'> & { minute: string })[];
}

interface Reading {
  tallies: MinuteShardTallies;
  progress: Map<string, ShardProgress>;
  incomplete: IncompleteLateRecords[];
  unreadable: number;
}

const iso = (t: number) => new Date(t).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checks the minute aggregates against the raw archive (a second consumer group over the same streams): per
 * minute and shard, every archived click must be counted or recorded late by that shard.
 */
@Injectable()
export class ReconciliationService {
  private readonly lateLog: LateEventLog;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ReconciliationRepository,
    private readonly redis: RedisConnection,
  ) {
    this.lateLog = new LateEventLog(redis.client);
  }

  /** One at a time per process (each reads every shard's late stream); later calls wait their turn. */
  reconcile(range: ReconcileRange, adId?: string, now?: number): Promise<ReconciliationReport> {
    const run = this.queue.then(() => this.run(range, adId, now ?? Date.now()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(range: ReconcileRange, adId: string | undefined, now: number): Promise<ReconciliationReport> {
    const { allowedLatenessMs, flushIntervalMs } = this.config.aggregation;
    const settledBefore = now - this.config.reconciliation.settleMarginMs;
    let reading = await this.read(range, adId);
    const rules = { settledBefore, allowedLatenessMs, shards: reading.progress };
    let minutes = reconcileMinutes(reading.tallies, rules);
    const firstRead = mismatchedPairs(minutes);
    // A late click reaches the archive and the late stream by two writers, and QuestDB applies writes a moment
    // after acknowledging them: a difference that is real stays the same a few flushes later.
    if (firstRead.size > 0) {
      await sleep(2 * flushIntervalMs + 1000);
      reading = await this.read(range, adId);
      minutes = reconcileMinutes(reading.tallies, { ...rules, firstRead });
    }
    return {
      from: iso(range.from),
      to: iso(range.to),
      adId: adId ?? null,
      settledBefore: iso(settledBefore),
      confirmed: firstRead.size > 0,
      incompleteLateRecords: reading.incomplete,
      unreadableLateRecords: reading.unreadable,
      summary: summarize(minutes),
      minutes: minutes.map((m) => ({ ...m, minute: iso(m.minute) })),
    };
  }

  /** Shard progress first: a window its checkpoint shows closed was written to QuestDB before that checkpoint. */
  private async read(range: ReconcileRange, adId: string | undefined): Promise<Reading> {
    const progress = await this.shardProgress();
    const [{ archived, counted }, late] = await Promise.all([
      this.repository.perMinuteAndShard(range.from, range.to, adId),
      this.lateTallies(range, adId, progress),
    ]);
    for (const c of archived) addTally(late.tallies, c.minute, c.shard, 'archived', c.clicks);
    for (const c of counted) addTally(late.tallies, c.minute, c.shard, 'counted', c.clicks);
    return { ...late, progress };
  }

  private async shardProgress(): Promise<Map<string, ShardProgress>> {
    const shards = Array.from({ length: this.config.shards.count }, (_, i) => i);
    const heads = await Promise.all(
      shards.map((i) => new ShardStream(i, this.redis.client, this.redis.client).checkpointHead()),
    );
    return new Map(
      shards.map((i) => {
        const t = heads[i]?.streamTime;
        return [
          shardName(i),
          { streamTime: t !== undefined && Number.isFinite(t) ? t : null, lateIncompleteBefore: null },
        ];
      }),
    );
  }

  /** Late clicks per minute and shard, from every shard's late stream; marks the shards whose records are partial. */
  private async lateTallies(range: ReconcileRange, adId: string | undefined, progress: Map<string, ShardProgress>) {
    const tallies: MinuteShardTallies = new Map();
    const tally = new LateRecordTally(tallies, range, adId);
    const incomplete: IncompleteLateRecords[] = [];
    const skew = this.config.intake.maxFutureSkewMs;
    let budget = LATE_SCAN_MAX_RECORDS;
    for (let i = 0; i < this.config.shards.count; i++) {
      const shard = shardName(i);
      const p = progress.get(shard);
      let complete = budget > 0;
      // A click is recorded late after it arrives, and its event time is at most `skew` ahead of its arrival.
      for await (const page of complete ? this.lateLog.since(i, range.from - skew) : []) {
        for (const e of page) tally.add(shard, e.id, e.record);
        budget -= page.length;
        if (budget <= 0) {
          complete = false;
          break;
        }
      }
      const trimmed = await this.lateLog.trimmedBefore(i);
      if (!complete) {
        if (p) p.lateIncompleteBefore = Number.POSITIVE_INFINITY;
        incomplete.push({ shard, reason: 'scan budget', before: null });
      } else if (trimmed !== null) {
        // A lost record was written before `trimmed`, for a click of event time up to the skew later.
        if (p) p.lateIncompleteBefore = trimmed + skew;
        incomplete.push({ shard, reason: 'trimmed', before: iso(trimmed + skew) });
      }
    }
    return { tallies, incomplete, unreadable: tally.unreadable };
  }
}
