import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { shardName } from '@clicks/routing';
import { LATE_SHARD_SUFFIX, ReconciliationRepository, WalProgress } from '@clicks/store';
import { LateEventLog, RedisConnection } from '@clicks/stream';
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

/** How far Redis's clock (late record ids) and ingest's (event-time checks) may disagree. */
const CLOCK_MARGIN_MS = 60_000;

/** How long a confirming read waits for QuestDB to apply what it had acknowledged before the first read. */
const APPLY_WAIT_MS = 30_000;

export interface ReconcileRange {
  from: number;
  to: number;
}

/** A shard whose late records could not all be read: trimmed before a time, not read to the end, or unreadable. */
export interface IncompleteLateRecords {
  shard: string;
  reason: 'trimmed' | 'scan budget' | 'unreadable';
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
  /**
   * Tables QuestDB had not applied (or had suspended: `ALTER TABLE ... RESUME WAL`) up to what it had committed at
   * the first read, within APPLY_WAIT_MS: their mismatches are left `pending`.
   */
  questdbBehind: string[];
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
    this.lateLog = redis.lateEventLog();
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
    let questdbBehind: string[] = [];
    // A late click reaches the archive and the late stream by two writers, and QuestDB shows a write only once it
    // has applied it: a difference that is real stays the same a few flushes later, with every write acknowledged
    // before the first read applied.
    if (firstRead.size > 0) {
      const committed = await this.repository.walProgress();
      await sleep(2 * flushIntervalMs + 1000);
      questdbBehind = await this.awaitApplied(committed);
      if (questdbBehind.length === 0) {
        reading = await this.read(range, adId);
        minutes = reconcileMinutes(reading.tallies, { ...rules, shards: reading.progress, firstRead });
      } else {
        // Nothing can be confirmed while QuestDB has not applied what it had acknowledged: all pending.
        minutes = reconcileMinutes(reading.tallies, { ...rules, firstRead: new Map() });
      }
    }
    return {
      from: iso(range.from),
      to: iso(range.to),
      adId: adId ?? null,
      settledBefore: iso(settledBefore),
      confirmed: firstRead.size > 0 && questdbBehind.length === 0,
      questdbBehind,
      incompleteLateRecords: reading.incomplete,
      unreadableLateRecords: reading.unreadable,
      summary: summarize(minutes),
      minutes: minutes.map((m) => ({ ...m, minute: iso(m.minute) })),
    };
  }

  /** Waits until QuestDB shows every transaction committed at `committed`; returns the tables it still does not. */
  private async awaitApplied(committed: WalProgress[]): Promise<string[]> {
    const deadline = Date.now() + APPLY_WAIT_MS;
    const target = new Map(committed.map((w) => [w.table, w.sequencerTxn]));
    for (;;) {
      const now = await this.repository.walProgress();
      const behind = now.filter((w) => w.suspended || w.writerTxn < (target.get(w.table) ?? 0)).map((w) => w.table);
      if (behind.length === 0 || Date.now() >= deadline) return behind;
      await sleep(500);
    }
  }

  /** Shard progress first: a window its checkpoint shows closed was written to QuestDB before that checkpoint. */
  private async read(range: ReconcileRange, adId: string | undefined): Promise<Reading> {
    const progress = await this.shardProgress();
    const [{ archived, counted }, late] = await Promise.all([
      this.repository.perMinuteAndShard(range.from, range.to, adId),
      this.lateTallies(range, adId, progress),
    ]);
    for (const c of archived) addTally(late.tallies, c.minute, c.shard, 'archived', c.clicks);
    for (const c of counted) {
      // Late clicks folded into their minute are rows of their own (`s3/late`): late clicks of that shard.
      const folded = c.shard.endsWith(LATE_SHARD_SUFFIX);
      const shard = folded ? c.shard.slice(0, -LATE_SHARD_SUFFIX.length) : c.shard;
      addTally(late.tallies, c.minute, shard, folded ? 'late' : 'counted', c.clicks);
    }
    return { ...late, progress };
  }

  private async shardProgress(): Promise<Map<string, ShardProgress>> {
    const shards = Array.from({ length: this.config.shards.count }, (_, i) => i);
    const heads = await Promise.all(shards.map((i) => this.redis.shardStream(i).checkpointHead()));
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
    const tally = new LateRecordTally(range, adId);
    const incomplete: IncompleteLateRecords[] = [];
    const skew = this.config.intake.maxFutureSkewMs;
    // A click is recorded late after it arrives, its event time at most `skew` ahead of its arrival by ingest's clock;
    // record ids come from Redis's clock, so allow for the two clocks disagreeing too.
    const since = range.from - skew - CLOCK_MARGIN_MS;
    let budget = LATE_SCAN_MAX_RECORDS;
    for (let i = 0; i < this.config.shards.count; i++) {
      const shard = shardName(i);
      let complete = budget > 0;
      for await (const page of complete ? this.lateLog.since(i, since) : []) {
        for (const e of page) tally.add(shard, e.id, e.record);
        budget -= page.length;
        if (budget <= 0) {
          complete = false;
          break;
        }
      }
      const trimmed = await this.lateLog.trimmedBefore(i);
      const partial = (reason: IncompleteLateRecords['reason'], before: number) => {
        const p = progress.get(shard);
        if (p) p.lateIncompleteBefore = Math.max(p.lateIncompleteBefore ?? before, before);
        incomplete.push({ shard, reason, before: Number.isFinite(before) ? iso(before) : null });
      };
      if (!complete) partial('scan budget', Number.POSITIVE_INFINITY);
      // A lost record was written before `trimmed`, for a click of event time up to the skew later.
      if (trimmed !== null) partial('trimmed', trimmed + skew + CLOCK_MARGIN_MS);
      // An unreadable record may be any click of the shard's.
      if (tally.unreadable.has(shard)) partial('unreadable', Number.POSITIVE_INFINITY);
    }
    const tallies: MinuteShardTallies = new Map();
    tally.addTo(tallies);
    const unreadable = [...tally.unreadable.values()].reduce((a, b) => a + b, 0);
    return { tallies, incomplete, unreadable };
  }
}
