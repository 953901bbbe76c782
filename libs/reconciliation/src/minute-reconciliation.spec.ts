import {
  addTally,
  MinuteShardTallies,
  MinuteStatus,
  mismatchedPairs,
  pairKey,
  ReconcileRules,
  reconcileMinutes,
  ShardProgress,
  summarize,
} from './minute-reconciliation';

const M = 60_000;
const LATENESS = 5 * M;
const T0 = Date.UTC(2026, 10, 25, 12, 0);
const at = (i: number) => T0 + i * M;
/** Stream time at which the window of `at(i)` has closed. */
const closedAt = (i: number) => at(i) + M + LATENESS;

function tallies(rows: [minute: number, shard: string, archived: number, counted: number, late: number][]) {
  const t: MinuteShardTallies = new Map();
  for (const [minute, shard, a, c, l] of rows) {
    addTally(t, minute, shard, 'archived', a);
    addTally(t, minute, shard, 'counted', c);
    addTally(t, minute, shard, 'late', l);
  }
  return t;
}

function rules(shards: Record<string, Partial<ShardProgress>>, extra: Partial<ReconcileRules> = {}): ReconcileRules {
  const progress = new Map(
    Object.entries(shards).map(([s, p]) => [s, { streamTime: null, lateIncompleteBefore: null, ...p }]),
  );
  return { settledBefore: at(60), allowedLatenessMs: LATENESS, shards: progress, ...extra };
}

const closed = { streamTime: closedAt(0) };

describe('reconcileMinutes', () => {
  it.each<[string, [number, number, number], Partial<ShardProgress>, Partial<ReconcileRules>, MinuteStatus, number]>([
    ['every archived click counted', [10, 10, 0], closed, {}, 'match', 0],
    ['counted plus late equals archived', [10, 7, 3], closed, {}, 'match', 0],
    ['a counted click missing from the archive', [10, 11, 0], closed, {}, 'mismatch', -1],
    ['an archived click neither counted nor late', [10, 9, 0], closed, {}, 'mismatch', 1],
    ['late records alone, the archive lost them', [0, 0, 2], closed, {}, 'mismatch', -2],
    ['the window not closed on its shard yet', [10, 3, 0], { streamTime: closedAt(0) - 1 }, {}, 'pending', 7],
    ['the window closed exactly at the stream time', [10, 10, 0], { streamTime: closedAt(0) }, {}, 'match', 0],
    ['no checkpoint on the shard', [10, 10, 0], { streamTime: null }, {}, 'pending', 0],
    ['the minute ends after settledBefore', [10, 3, 0], closed, { settledBefore: at(1) - 1 }, 'pending', 7],
    ['the minute ends exactly at settledBefore', [10, 10, 0], closed, { settledBefore: at(1) }, 'match', 0],
    [
      'late records incomplete after it: more archived',
      [10, 9, 0],
      { ...closed, lateIncompleteBefore: at(1) },
      {},
      'unverifiable',
      1,
    ],
    [
      'late records incomplete after it: more counted',
      [10, 11, 0],
      { ...closed, lateIncompleteBefore: at(1) },
      {},
      'mismatch',
      -1,
    ],
    ['late records incomplete only before it', [10, 9, 0], { ...closed, lateIncompleteBefore: T0 }, {}, 'mismatch', 1],
    [
      'confirmed: the same difference on the first read',
      [10, 9, 0],
      closed,
      { firstRead: new Map([[pairKey(T0, 's0'), 1]]) },
      'mismatch',
      1,
    ],
    ['moved since the first read', [10, 8, 0], closed, { firstRead: new Map([[pairKey(T0, 's0'), 1]]) }, 'pending', 2],
    ['new on the confirming read', [10, 8, 0], closed, { firstRead: new Map() }, 'pending', 2],
  ])('%s', (_name, [a, c, l], progress, extra, status, difference) => {
    const [minute] = reconcileMinutes(tallies([[T0, 's0', a, c, l]]), rules({ s0: progress }, extra));
    expect(minute).toMatchObject({ minute: T0, archived: a, counted: c, late: l, difference, status });
    expect(minute.shards).toEqual(
      status === 'match' ? [] : [{ shard: 's0', archived: a, counted: c, late: l, difference, status }],
    );
  });

  it('judges each shard on its own and gives the minute the worst status, oldest minute first', () => {
    const out = reconcileMinutes(
      tallies([
        [at(1), 's0', 5, 5, 0],
        [at(1), 's1', 3, 1, 1],
        [at(0), 's0', 4, 3, 1],
        [at(0), 's1', 2, 2, 0],
        [at(0), 's2', 6, 0, 0],
      ]),
      rules({ s0: { streamTime: closedAt(1) }, s1: { streamTime: closedAt(1) }, s2: { streamTime: closedAt(0) - 1 } }),
    );
    expect(out.map((m) => [m.minute, m.archived, m.counted, m.late, m.difference, m.status])).toEqual([
      [at(0), 12, 5, 1, 6, 'pending'],
      [at(1), 8, 6, 1, 1, 'mismatch'],
    ]);
    expect(out[0].shards.map((s) => [s.shard, s.status])).toEqual([['s2', 'pending']]);
    expect(out[1].shards.map((s) => [s.shard, s.difference, s.status])).toEqual([['s1', 1, 'mismatch']]);
    expect(mismatchedPairs(out)).toEqual(new Map([[pairKey(at(1), 's1'), 1]]));
  });

  it('summarizes statuses, totals and unaccounted clicks', () => {
    const out = reconcileMinutes(
      tallies([
        [at(0), 's0', 4, 3, 1],
        [at(1), 's0', 5, 8, 0],
        [at(2), 's1', 9, 2, 0],
        [at(3), 's0', 7, 6, 0],
        [at(20), 's0', 2, 0, 0],
      ]),
      rules({ s0: { streamTime: closedAt(10) }, s1: { streamTime: closedAt(10), lateIncompleteBefore: at(3) } }),
    );
    expect(out.map((m) => m.status)).toEqual(['match', 'mismatch', 'unverifiable', 'mismatch', 'pending']);
    expect(summarize(out)).toEqual({
      minutes: { match: 1, mismatch: 2, pending: 1, unverifiable: 1 },
      archived: 27,
      counted: 19,
      late: 1,
      unaccountedClicks: { mismatch: 4, unverifiable: 7 },
    });
  });
});
