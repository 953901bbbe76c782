import { MinuteTopList } from './top-n-merge';
import { MinuteTopLists, RECENT_MINUTES_MS, TOP_LIST_MAX_AGE_MS, toMinuteTopList } from './minute-top-lists';

const MIN = 60_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');
const LIST: MinuteTopList = { ads: [{ adId: 'a', clicks: 3 }], floor: 0 };
const OLD = T0 - 30 * MIN;

describe('MinuteTopLists', () => {
  let now = T0;
  const lists = () => new MinuteTopLists({ cacheMs: 1000, size: 10 }, 120, () => now);
  beforeEach(() => {
    now = T0;
  });

  it.each([
    ['the view still shows the stamped totals', { clicks: 10, rows: 4 }, 5000, 'use'],
    ['the view shows fewer (it lags the list)', { clicks: 9, rows: 4 }, 5000, 'use'],
    ['the view shows more clicks', { clicks: 11, rows: 4 }, 5000, 'fetch'],
    ['the view shows more rows', { clicks: 10, rows: 5 }, 5000, 'fetch'],
    ['the list is older than the max age', { clicks: 10, rows: 4 }, TOP_LIST_MAX_AGE_MS + 1, 'fetch'],
    ['the list is younger than the answer cache', { clicks: 99, rows: 99 }, 1000, 'use'],
    ['the view shows no row for an old minute (no clicks, or a view behind)', undefined, 5000, 'use'],
    ['the view shows no row, and the list is older than the max age', undefined, TOP_LIST_MAX_AGE_MS + 1, 'fetch'],
  ])('for an old minute, when %s: %s', (_why, summary, age, want) => {
    const l = lists();
    l.store('*', OLD, { clicks: 10, rows: 4 }, Promise.resolve(LIST));
    now = T0 + age;
    expect(Object.keys(l.plan('*', OLD, summary))).toEqual([want]);
    // Another scope (a country) has lists of its own.
    expect(Object.keys(l.plan('DE', OLD, summary ?? { clicks: 1, rows: 1 }))).toEqual(['fetch']);
  });

  it.each([
    ['would pass the max age before the next warm-up', TOP_LIST_MAX_AGE_MS - 29_000, 'fetch'],
    ['stays within the max age until the next warm-up', TOP_LIST_MAX_AGE_MS - 30_000, 'use'],
  ])('for a warmer renewing 30 s ahead, a list that %s: %s', (_why, age, want) => {
    const l = lists();
    l.store('*', OLD, { clicks: 10, rows: 4 }, Promise.resolve(LIST));
    now = T0 + age;
    expect(Object.keys(l.plan('*', OLD, { clicks: 10, rows: 4 }, 30_000))).toEqual([want]);
    expect(Object.keys(l.plan('*', OLD, undefined, 30_000))).toEqual([want]);
    expect(Object.keys(l.plan('*', OLD, { clicks: 10, rows: 4 }))).toEqual(['use']); // a query's own plan
  });

  it('reads a recent minute the view does not show yet, and an unknown minute', () => {
    const l = lists();
    const recent = T0 - RECENT_MINUTES_MS + 1;
    expect(l.plan('*', recent, undefined)).toEqual({ fetch: true });
    expect(l.plan('*', OLD, { clicks: 1, rows: 1 })).toEqual({ fetch: true });
    l.store('*', recent, undefined, Promise.resolve(LIST));
    now += 2000;
    // Stamped with no totals: any row the view then shows makes it stale.
    expect(l.plan('*', recent, { clicks: 1, rows: 1 })).toEqual({ fetch: true });
  });

  it('forgets a failed read and bounds its size', async () => {
    const l = lists();
    const failed = Promise.reject(new Error('down'));
    l.store('*', OLD, { clicks: 1, rows: 1 }, failed);
    await expect(failed).rejects.toThrow('down');
    expect(l.size).toBe(0);
    for (let m = 0; m < 200; m++) l.store(m % 2 ? 'US' : '*', OLD - m * MIN, undefined, Promise.resolve(LIST));
    expect(l.size).toBe(120);
  });

  it.each([
    [[3, 2, 1], 2, { ads: ['3', '2'], floor: 1 }],
    [[3, 2], 2, { ads: ['3', '2'], floor: 0 }],
    [[], 2, { ads: [], floor: 0 }],
  ])('lists %j read with size %d', (counts, size, want) => {
    const top = counts.map((c) => ({ adId: String(c), clicks: c }));
    const got = toMinuteTopList(top, size);
    expect({ ads: got.ads.map((a) => a.adId), floor: got.floor }).toEqual(want);
  });
});
