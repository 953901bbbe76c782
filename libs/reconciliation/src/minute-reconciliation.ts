import { closeTime, WINDOW_MS } from '@clicks/windowing';

/**
 * - `match`: every archived click is counted or recorded late.
 * - `mismatch`: it is not, and nothing known explains why (a confirming re-read saw the same difference).
 * - `pending`: the numbers may still change: the minute is not closed on its shard yet, or they moved between reads.
 * - `unverifiable`: more archived than counted + late, but the shard's late records of that time are incomplete.
 */
export type MinuteStatus = 'match' | 'mismatch' | 'pending' | 'unverifiable';
export const MINUTE_STATUSES: readonly MinuteStatus[] = ['match', 'mismatch', 'pending', 'unverifiable'];

/** Precedence when a minute's shards disagree: one mismatching shard makes the minute a mismatch. */
const SEVERITY: Record<MinuteStatus, number> = { match: 0, pending: 1, unverifiable: 2, mismatch: 3 };

export interface Tally {
  archived: number;
  counted: number;
  late: number;
}

/** Per minute start, per shard name (`s3`): the three tallies. Build with `addTally`. */
export type MinuteShardTallies = Map<number, Map<string, Tally>>;

export function addTally(t: MinuteShardTallies, minute: number, shard: string, kind: keyof Tally, n: number): void {
  let shards = t.get(minute);
  if (!shards) t.set(minute, (shards = new Map<string, Tally>()));
  let tally = shards.get(shard);
  if (!tally) shards.set(shard, (tally = { archived: 0, counted: 0, late: 0 }));
  tally[kind] += n;
}

/** What decides whether a shard's numbers of a minute are final. */
export interface ShardProgress {
  /** The stream time of the shard's last checkpoint (null: none): windows closing by then are written. */
  streamTime: number | null;
  /** Late records of clicks before this time may be missing (trimmed, or beyond the scan budget); null: complete. */
  lateIncompleteBefore: number | null;
}

export interface ReconcileRules {
  /** A minute is settled once it ends at or before this time, and its window closed on the shard. */
  settledBefore: number;
  allowedLatenessMs: number;
  shards: ReadonlyMap<string, ShardProgress>;
  /**
   * The differences a first read found for the (minute, shard) pairs it judged mismatched, keyed `minute/shard`: on
   * a confirming read, a mismatch whose difference moved since is `pending` instead.
   */
  firstRead?: ReadonlyMap<string, number>;
}

export interface ReconciledShard extends Tally {
  shard: string;
  /** archived - counted - late: 0 when every click is accounted for. */
  difference: number;
  status: MinuteStatus;
}

export interface ReconciledMinute extends Tally {
  minute: number;
  difference: number;
  /** The worst status among its shards. */
  status: MinuteStatus;
  /** The shards that do not match, to say where to look. */
  shards: ReconciledShard[];
}

export const pairKey = (minute: number, shard: string) => `${minute}/${shard}`;

/** Every minute holding an archived, counted or late click, oldest first, judged per shard. */
export function reconcileMinutes(tallies: MinuteShardTallies, rules: ReconcileRules): ReconciledMinute[] {
  return [...tallies.keys()]
    .sort((a, b) => a - b)
    .map((minute) => {
      const total: ReconciledMinute = {
        minute,
        archived: 0,
        counted: 0,
        late: 0,
        difference: 0,
        status: 'match',
        shards: [],
      };
      for (const [shard, t] of [...(tallies.get(minute) ?? [])].sort(([a], [b]) => a.localeCompare(b))) {
        const difference = t.archived - t.counted - t.late;
        const status = shardStatus(minute, shard, difference, rules);
        total.archived += t.archived;
        total.counted += t.counted;
        total.late += t.late;
        total.difference += difference;
        if (SEVERITY[status] > SEVERITY[total.status]) total.status = status;
        if (status !== 'match') total.shards.push({ shard, ...t, difference, status });
      }
      return total;
    });
}

function shardStatus(minute: number, shard: string, difference: number, rules: ReconcileRules): MinuteStatus {
  const progress = rules.shards.get(shard);
  const closedOnShard =
    progress?.streamTime != null && closeTime(minute, rules.allowedLatenessMs) <= progress.streamTime;
  if (minute + WINDOW_MS > rules.settledBefore || !closedOnShard) return 'pending';
  if (difference === 0) return 'match';
  const incomplete = progress?.lateIncompleteBefore;
  if (difference > 0 && incomplete != null && minute < incomplete) return 'unverifiable';
  if (rules.firstRead && rules.firstRead.get(pairKey(minute, shard)) !== difference) return 'pending';
  return 'mismatch';
}

/** The (minute, shard) pairs judged mismatched, with their differences: what a confirming read compares against. */
export function mismatchedPairs(minutes: readonly ReconciledMinute[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of minutes) {
    for (const s of m.shards) if (s.status === 'mismatch') out.set(pairKey(m.minute, s.shard), s.difference);
  }
  return out;
}

export interface ReconciliationSummary extends Tally {
  minutes: Record<MinuteStatus, number>;
  /** Sum of |difference| over the shards of minutes judged mismatch, and over those unverifiable. */
  unaccountedClicks: { mismatch: number; unverifiable: number };
}

export function summarize(minutes: readonly ReconciledMinute[]): ReconciliationSummary {
  const byStatus = Object.fromEntries(MINUTE_STATUSES.map((s) => [s, 0])) as Record<MinuteStatus, number>;
  const unaccountedClicks = { mismatch: 0, unverifiable: 0 };
  const out: ReconciliationSummary = { minutes: byStatus, archived: 0, counted: 0, late: 0, unaccountedClicks };
  for (const m of minutes) {
    byStatus[m.status]++;
    out.archived += m.archived;
    out.counted += m.counted;
    out.late += m.late;
    for (const s of m.shards) {
      if (s.status === 'mismatch' || s.status === 'unverifiable') unaccountedClicks[s.status] += Math.abs(s.difference);
    }
  }
  return out;
}
