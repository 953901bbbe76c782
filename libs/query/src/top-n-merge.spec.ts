import { AdTotal } from '@clicks/store';
import { byClicksThenAdId, MinuteTopList, TopNMerge } from './top-n-merge';

/** Per-minute counts: one map of adId -> clicks per minute. */
type Minutes = Record<string, number>[];

/** A minute's top-k list as the repository builds it: LIMIT k + 1, by clicks then ad id; the extra row is the floor. */
function listOf(minute: Record<string, number>, k: number): MinuteTopList {
  const all = Object.entries(minute)
    .map(([adId, clicks]) => ({ adId, clicks }))
    .sort(byClicksThenAdId);
  const ads = all.slice(0, k);
  return { ads, floor: all.length > k ? all[k].clicks : 0 };
}

function bruteForce(minutes: Minutes, n: number): AdTotal[] {
  const totals = new Map<string, number>();
  for (const m of minutes) for (const [ad, c] of Object.entries(m)) totals.set(ad, (totals.get(ad) ?? 0) + c);
  return Array.from(totals, ([adId, clicks]) => ({ adId, clicks }))
    .sort(byClicksThenAdId)
    .slice(0, n);
}

function exactOf(minutes: Minutes, ids: string[]): Map<string, number> {
  return new Map(ids.map((id) => [id, minutes.reduce((s, m) => s + (m[id] ?? 0), 0)]));
}

/** What the query service does: merge, resolve the undecided ads exactly, rank. */
function viaLists(minutes: Minutes, n: number, k: number, limit = 1000): AdTotal[] | undefined {
  const merge = new TopNMerge(
    minutes.map((m) => listOf(m, k)),
    n,
  );
  const ids = merge.toResolve(limit);
  return ids && merge.rank(exactOf(minutes, ids));
}

describe('TopNMerge', () => {
  it.each<{ name: string; minutes: Minutes; n: number; k: number; want: AdTotal[] }>([
    {
      name: 'complete lists: exact without resolving',
      minutes: [{ a: 3, b: 1 }, { b: 5 }],
      n: 2,
      k: 10,
      want: [
        { adId: 'b', clicks: 6 },
        { adId: 'a', clicks: 3 },
      ],
    },
    {
      name: 'ties ordered by ad id, across minutes',
      minutes: [{ b: 2, a: 1 }, { a: 1 }],
      n: 2,
      k: 10,
      want: [
        { adId: 'a', clicks: 2 },
        { adId: 'b', clicks: 2 },
      ],
    },
    {
      name: 'an ad missing from one list is resolved exactly',
      minutes: [
        { a: 10, b: 9, c: 1 },
        { b: 10, a: 9, c: 1 },
      ],
      n: 2,
      k: 2,
      want: [
        { adId: 'a', clicks: 19 },
        { adId: 'b', clicks: 19 },
      ],
    },
    {
      name: 'fewer ads than n',
      minutes: [{ a: 1 }],
      n: 5,
      k: 3,
      want: [{ adId: 'a', clicks: 1 }],
    },
  ])('$name', ({ minutes, n, k, want }) => {
    expect(viaLists(minutes, n, k)).toEqual(want);
    expect(bruteForce(minutes, n)).toEqual(want);
  });

  it('gives up when an unlisted ad could tie the n-th (ties break on ad id)', () => {
    // 'a' is in no list (k = 1) yet has 2 clicks, as many as the 1st: it wins the tie on its id.
    const minutes: Minutes = [
      { b: 2, a: 1 },
      { c: 2, a: 1 },
    ];
    const merge = new TopNMerge(
      minutes.map((m) => listOf(m, 1)),
      1,
    );
    expect(merge.unseenBound).toBe(2);
    expect(merge.rank(exactOf(minutes, merge.toResolve(10) ?? []))).toBeUndefined();
    expect(bruteForce(minutes, 1)).toEqual([{ adId: 'a', clicks: 2 }]);
  });

  it('gives up when fewer ads are listed than n while unlisted ads may have clicks', () => {
    const merge = new TopNMerge([{ ads: [{ adId: 'a', clicks: 5 }], floor: 5 }], 2);
    expect(merge.toResolve(10)).toBeUndefined();
  });

  it('gives up when too many ads would need resolving', () => {
    const minutes: Minutes = [
      { a: 10, b: 5, c: 4 },
      { c: 10, a: 5, b: 4 },
    ];
    expect(viaLists(minutes, 1, 1, 1)).toBeUndefined();
    expect(viaLists(minutes, 1, 1, 2)).toEqual([{ adId: 'a', clicks: 15 }]);
  });

  it('does not trust an ad the caller did not resolve', () => {
    const minutes: Minutes = [
      { a: 10, b: 5, c: 5, d: 1 },
      { c: 10, a: 5, b: 4 },
    ];
    const merge = new TopNMerge(
      minutes.map((m) => listOf(m, 2)),
      1,
    );
    // a is in both lists (15, exact); c may reach 15 (10 + the first list's floor 5), b at most 9.
    expect(merge.toResolve(10)).toEqual(['c']);
    expect(merge.rank(new Map())).toBeUndefined();
    expect(merge.rank(new Map([['c', 15]]))).toEqual([{ adId: 'a', clicks: 15 }]);
    expect(bruteForce(minutes, 1)).toEqual([{ adId: 'a', clicks: 15 }]);
  });

  // Zipf-like and flat random minutes: whenever the merge answers, it equals the GROUP BY over every row.
  it.each([
    { skew: 1.2, n: 10, k: 30 },
    { skew: 1.0, n: 50, k: 100 },
    { skew: 0.0, n: 10, k: 20 },
  ])('equals brute force on random data (skew $skew, n $n, k $k)', ({ skew, n, k }) => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let answered = 0;
    for (let trial = 0; trial < 40; trial++) {
      const minutes: Minutes = [];
      for (let m = 0; m < 1 + (trial % 12); m++) {
        const counts: Record<string, number> = {};
        for (let i = 0; i < 400; i++) {
          const rank = skew === 0 ? Math.floor(rand() * 300) : Math.floor(Math.pow(301, Math.pow(rand(), skew))) - 1;
          const ad = `ad-${rank}`;
          counts[ad] = (counts[ad] ?? 0) + 1;
        }
        minutes.push(counts);
      }
      const got = viaLists(minutes, n, k);
      if (got === undefined) continue;
      answered++;
      expect(got).toEqual(bruteForce(minutes, n));
    }
    if (skew > 0) expect(answered).toBeGreaterThan(20);
  });
});
