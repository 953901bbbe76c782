import { MinuteStatus, reconcileMinutes, summarize } from './minute-reconciliation';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0);
const at = (i: number) => T0 + i * M;
const counts = (archived: number, counted: number, late: number) => ({
  archived: new Map(archived ? [[T0, archived]] : []),
  counted: new Map(counted ? [[T0, counted]] : []),
  late: new Map(late ? [[T0, late]] : []),
});
const settled = { settledBefore: at(10), lateRecordsLostBefore: null };

describe('reconcileMinutes', () => {
  it.each<
    [
      string,
      [number, number, number],
      { settledBefore: number; lateRecordsLostBefore: number | null },
      MinuteStatus,
      number,
    ]
  >([
    ['every archived click counted', [10, 10, 0], settled, 'match', 0],
    ['counted plus late equals archived', [10, 7, 3], settled, 'match', 0],
    ['a counted click missing from the archive', [10, 11, 0], settled, 'mismatch', -1],
    ['an archived click neither counted nor late', [10, 9, 0], settled, 'mismatch', 1],
    ['late records alone, archive lost them', [0, 0, 2], settled, 'mismatch', -2],
    [
      'the minute ends after settledBefore',
      [10, 3, 0],
      { settledBefore: at(1) - 1, lateRecordsLostBefore: null },
      'pending',
      7,
    ],
    [
      'the minute ends exactly at settledBefore',
      [10, 10, 0],
      { settledBefore: at(1), lateRecordsLostBefore: null },
      'match',
      0,
    ],
    [
      'late records trimmed after the minute: more archived',
      [10, 9, 0],
      { settledBefore: at(10), lateRecordsLostBefore: at(1) },
      'unverifiable',
      1,
    ],
    [
      'late records trimmed after the minute: more counted',
      [10, 11, 0],
      { settledBefore: at(10), lateRecordsLostBefore: at(1) },
      'mismatch',
      -1,
    ],
    [
      'late records trimmed before the minute',
      [10, 9, 0],
      { settledBefore: at(10), lateRecordsLostBefore: T0 },
      'mismatch',
      1,
    ],
  ])('%s', (_name, [a, c, l], rules, status, difference) => {
    expect(reconcileMinutes(counts(a, c, l), rules)).toEqual([
      { minute: T0, archived: a, counted: c, late: l, difference, status },
    ]);
  });

  it('lists every minute any source has, oldest first, zeros filled in', () => {
    const out = reconcileMinutes(
      {
        archived: new Map([
          [at(2), 5],
          [at(0), 1],
        ]),
        counted: new Map([[at(0), 1]]),
        late: new Map([[at(1), 1]]),
      },
      settled,
    );
    expect(out.map((m) => [m.minute, m.archived, m.counted, m.late, m.status])).toEqual([
      [at(0), 1, 1, 0, 'match'],
      [at(1), 0, 0, 1, 'mismatch'],
      [at(2), 5, 0, 0, 'mismatch'],
    ]);
  });

  it('summarizes statuses, totals and unaccounted clicks', () => {
    const out = reconcileMinutes(
      {
        archived: new Map([
          [at(0), 4],
          [at(1), 5],
          [at(2), 9],
          [at(3), 7],
          [at(20), 2],
        ]),
        counted: new Map([
          [at(0), 3],
          [at(1), 8],
          [at(2), 2],
          [at(3), 6],
        ]),
        late: new Map([[at(0), 1]]),
      },
      { settledBefore: at(10), lateRecordsLostBefore: at(3) },
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
