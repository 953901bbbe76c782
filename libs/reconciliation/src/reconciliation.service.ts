import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { decodeLateRecord, MalformedEntryError } from '@clicks/events';
import { ReconciliationRepository } from '@clicks/store';
import { LateEventLog, RedisConnection } from '@clicks/stream';
import { windowStart } from '@clicks/windowing';
import { ReconciledMinute, reconcileMinutes, ReconciliationSummary, summarize } from './minute-reconciliation';

export interface ReconcileRange {
  from: number;
  to: number;
}

export interface ReconciliationReport {
  from: string;
  to: string;
  adId: string | null;
  /** Minutes ending after this are `pending`. */
  settledBefore: string;
  lateRecordsLostBefore: string | null;
  /** Late-stream entries that could not be read as late records (each counted, none explained by them). */
  unreadableLateRecords: number;
  summary: ReconciliationSummary;
  minutes: (Omit<ReconciledMinute, 'minute'> & { minute: string })[];
}

interface LateCounts {
  perMinute: Map<number, number>;
  lostBefore: number | null;
  unreadable: number;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Checks the minute aggregates against the raw archive (a second consumer group over the same streams): per
 * minute, every archived click must be counted or recorded late by its shard.
 */
@Injectable()
export class ReconciliationService {
  private readonly lateLog: LateEventLog;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ReconciliationRepository,
    redis: RedisConnection,
  ) {
    this.lateLog = new LateEventLog(redis.client);
  }

  async reconcile(range: ReconcileRange, adId?: string, now = Date.now()): Promise<ReconciliationReport> {
    const [{ archived, counted }, late] = await Promise.all([
      this.repository.perMinute(range.from, range.to, adId),
      this.lateCounts(range, adId),
    ]);
    // By then every shard's stream time has passed the minute's close time (idle ticks move it without clicks), and
    // the margin leaves both groups time to write it (flush, archive write).
    const { allowedLatenessMs, idleAdvanceMs, flushIntervalMs } = this.config.aggregation;
    const margin = this.config.reconciliation.settleMarginMs;
    const settledBefore = now - allowedLatenessMs - idleAdvanceMs - flushIntervalMs - margin;
    const minutes = reconcileMinutes(
      { archived, counted, late: late.perMinute },
      { settledBefore, lateRecordsLostBefore: late.lostBefore },
    );
    return {
      from: iso(range.from),
      to: iso(range.to),
      adId: adId ?? null,
      settledBefore: iso(settledBefore),
      lateRecordsLostBefore: late.lostBefore === null ? null : iso(late.lostBefore),
      unreadableLateRecords: late.unreadable,
      summary: summarize(minutes),
      minutes: minutes.map((m) => ({ ...m, minute: iso(m.minute) })),
    };
  }

  /** Late clicks per minute in the range, from every shard's late stream, each stream entry once. */
  private async lateCounts(range: ReconcileRange, adId?: string): Promise<LateCounts> {
    const out: LateCounts = { perMinute: new Map(), lostBefore: null, unreadable: 0 };
    // A click is recorded late after it arrives, and its event time is at most maxFutureSkewMs ahead of arrival.
    const since = range.from - this.config.intake.maxFutureSkewMs;
    for (let shard = 0; shard < this.config.shards.count; shard++) {
      const seen = new Set<string>();
      for await (const page of this.lateLog.since(shard, since)) {
        for (const entry of page) {
          try {
            const record = decodeLateRecord(entry.id, entry.record);
            const { ts } = record.click;
            if (seen.has(record.entryId) || ts < range.from || ts >= range.to) continue;
            if (adId !== undefined && record.click.adId !== adId) continue;
            seen.add(record.entryId);
            const minute = windowStart(ts);
            out.perMinute.set(minute, (out.perMinute.get(minute) ?? 0) + 1);
          } catch (e) {
            if (!(e instanceof MalformedEntryError)) throw e;
            out.unreadable++;
          }
        }
      }
      const trimmed = await this.lateLog.trimmedBefore(shard);
      if (trimmed !== null) {
        // A lost record was written before `trimmed`, for a click of event time up to the skew later.
        const lost = trimmed + this.config.intake.maxFutureSkewMs;
        out.lostBefore = Math.max(out.lostBefore ?? lost, lost);
      }
    }
    return out;
  }
}
