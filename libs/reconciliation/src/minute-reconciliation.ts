import { WINDOW_MS } from '@clicks/windowing';

/**
 * - `match`: every archived click is counted or recorded late.
 * - `mismatch`: it is not, and nothing known explains why.
 * - `pending`: the minute may still change (its windows may be open, or a consumer group not past it yet).
 * - `unverifiable`: more archived than counted + late, but late records of that time may have been trimmed away.
 */
export type MinuteStatus = 'match' | 'mismatch' | 'pending' | 'unverifiable';
export const MINUTE_STATUSES: readonly MinuteStatus[] = ['match', 'mismatch', 'pending', 'unverifiable'];

/** Per minute start: clicks in the raw archive, in the minute aggregates, and in the shards' late records. */
export interface MinuteCounts {
  archived: ReadonlyMap<number, number>;
  counted: ReadonlyMap<number, number>;
  late: ReadonlyMap<number, number>;
}

export interface ReconcileRules {
  /** A minute is settled once it ends at or before this time. */
  settledBefore: number;
  /** Late records of clicks before this time may be missing (the late stream was trimmed); null when complete. */
  lateRecordsLostBefore: number | null;
}

export interface ReconciledMinute {
  minute: number;
  archived: number;
  counted: number;
  late: number;
  /** archived - counted - late: 0 when every click is accounted for. */
  difference: number;
  status: MinuteStatus;
}

/** Every minute holding an archived, counted or late click, oldest first, with its verdict. */
export function reconcileMinutes(counts: MinuteCounts, rules: ReconcileRules): ReconciledMinute[] {
  const minutes = new Set([...counts.archived.keys(), ...counts.counted.keys(), ...counts.late.keys()]);
  return [...minutes]
    .sort((a, b) => a - b)
    .map((minute) => {
      const archived = counts.archived.get(minute) ?? 0;
      const counted = counts.counted.get(minute) ?? 0;
      const late = counts.late.get(minute) ?? 0;
      const difference = archived - counted - late;
      return { minute, archived, counted, late, difference, status: statusOf(minute, difference, rules) };
    });
}

function statusOf(minute: number, difference: number, rules: ReconcileRules): MinuteStatus {
  if (minute + WINDOW_MS > rules.settledBefore) return 'pending';
  if (difference === 0) return 'match';
  const lateMayBeMissing = rules.lateRecordsLostBefore !== null && minute < rules.lateRecordsLostBefore;
  return difference > 0 && lateMayBeMissing ? 'unverifiable' : 'mismatch';
}

export interface ReconciliationSummary {
  minutes: Record<MinuteStatus, number>;
  archived: number;
  counted: number;
  late: number;
  /** Sum of |difference| over the minutes judged mismatch, and over those unverifiable. */
  unaccountedClicks: { mismatch: number; unverifiable: number };
}

export function summarize(minutes: readonly ReconciledMinute[]): ReconciliationSummary {
  const byStatus = Object.fromEntries(MINUTE_STATUSES.map((s) => [s, 0])) as Record<MinuteStatus, number>;
  const unaccountedClicks = { mismatch: 0, unverifiable: 0 };
  const out: ReconciliationSummary = { minutes: byStatus, archived: 0, counted: 0, late: 0, unaccountedClicks };
  for (const m of minutes) {
    byStatus[m.status]++;
    if (m.status === 'mismatch' || m.status === 'unverifiable') unaccountedClicks[m.status] += Math.abs(m.difference);
    out.archived += m.archived;
    out.counted += m.counted;
    out.late += m.late;
  }
  return out;
}
