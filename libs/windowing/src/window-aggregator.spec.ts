import { closedBefore, closeTime, windowEnd, windowStart } from './minute-window';
import { WindowAggregator } from './window-aggregator';

const T0 = Date.parse('2026-11-23T12:00:00Z');
const MIN = 60_000;
const L = 5 * MIN;

describe('minute windows', () => {
  it.each([
    [T0, T0],
    [T0 + 1, T0],
    [T0 + MIN - 1, T0],
    [T0 + MIN, T0 + MIN],
    [T0 - 1, T0 - MIN],
  ])('event at %i falls in the window starting %i', (ts, start) => {
    expect(windowStart(ts)).toBe(start);
    expect(windowEnd(windowStart(ts))).toBe(start + MIN);
  });

  it.each([
    [0, T0 + MIN],
    [L, T0 + MIN + L],
  ])('with lateness %i the window at T0 closes at %i', (lateness, close) => {
    expect(closeTime(T0, lateness)).toBe(close);
  });

  it.each([
    [T0 + MIN + L - 1, T0],
    [T0 + MIN + L, T0 + MIN],
  ])('at stream time %i windows before %i are closed', (ost, before) => {
    expect(closedBefore(ost, L)).toBe(before);
  });
});

describe('WindowAggregator', () => {
  const click = (ts: number, adId = 'a', country = 'DE') => ({ ts, adId, country });

  it('counts per minute, ad and country and reports changed rows cumulatively', () => {
    const agg = new WindowAggregator(L);
    agg.apply(click(T0 + 1));
    agg.apply(click(T0 + 2));
    agg.apply(click(T0 + 3, 'a', 'FR'));
    agg.apply(click(T0 + MIN, 'b'));
    expect(agg.changedRows()).toEqual([
      { windowStart: T0, adId: 'a', country: 'DE', clicks: 2 },
      { windowStart: T0, adId: 'a', country: 'FR', clicks: 1 },
      { windowStart: T0 + MIN, adId: 'b', country: 'DE', clicks: 1 },
    ]);
    agg.markFlushed();
    expect(agg.changedRows()).toEqual([]);
    agg.apply(click(T0 + 4));
    expect(agg.changedRows()).toEqual([{ windowStart: T0, adId: 'a', country: 'DE', clicks: 3 }]);
  });

  it.each([
    ['inside lateness', T0 + MIN + L - 1, 'counted'],
    ['at close time', T0 + MIN + L, 'late'],
    ['long after', T0 + 60 * MIN, 'late'],
  ])('an event for the T0 window after stream time reached %s is %s', (_, streamTime, outcome) => {
    const agg = new WindowAggregator(L);
    agg.apply(click(streamTime, 'other'));
    expect(agg.apply(click(T0 + 5))).toBe(outcome);
  });

  // Event time vs append time (Redis's clock when the click was stored), with a skew of 5 s.
  it.each([
    ['on time', T0 + 1000, T0 + 1000, 'counted', T0 + 1000],
    ['a little ahead (within the skew)', T0 + 4000, T0, 'counted', T0 + 4000],
    [
      '4.5 min ahead: counted in its own minute, stream time only to append + skew',
      T0 + 270_000,
      T0,
      'clamped',
      T0 + 5000,
    ],
    ['behind its append time (a retry, a log replay)', T0 - 90_000, T0, 'counted', T0 - 90_000],
  ])('a click %s', (_, ts, appendTime, outcome, streamTime) => {
    const agg = new WindowAggregator(L, 5000);
    expect(agg.apply(click(ts), appendTime)).toBe(outcome);
    expect(agg.observedStreamTime).toBe(streamTime);
    expect(agg.changedRows()).toEqual([
      { windowStart: Math.floor(ts / MIN) * MIN, adId: 'a', country: 'DE', clicks: 1 },
    ]);
  });

  it("a client with a fast clock cannot make other clients' on-time clicks late", () => {
    const agg = new WindowAggregator(L, 5000);
    const now = T0 + 10 * MIN;
    for (let i = 0; i < 400; i++) agg.apply(click(now + 270_000, 'fast'), now);
    // 3 s later, honest clicks stamped 90 s ago: well inside the allowed lateness.
    const outcomes = new Set([0, 1, 2].map(() => agg.apply(click(now - 90_000, 'honest'), now + 3000)));
    expect([...outcomes]).toEqual(['counted']);
  });

  it('an out-of-order event never moves stream time back', () => {
    const agg = new WindowAggregator(L);
    agg.apply(click(T0 + 10 * MIN));
    agg.apply(click(T0 + 6 * MIN));
    expect(agg.observedStreamTime).toBe(T0 + 10 * MIN);
  });

  it('an idle tick closes windows; closed windows leave memory after their final flush', () => {
    const agg = new WindowAggregator(L);
    agg.apply(click(T0));
    agg.apply(click(T0 + MIN));
    agg.advanceTo(T0 + 2 * MIN + L);
    expect(agg.changedRows()).toHaveLength(2);
    expect(agg.markFlushed()).toEqual([T0, T0 + MIN]);
    expect(agg.openWindowCount).toBe(0);
    expect(agg.apply(click(T0 + MIN))).toBe('late');
  });

  it('lists every cell of the windows about to close, changed or not, before the flush drops them', () => {
    const agg = new WindowAggregator(L);
    agg.apply(click(T0));
    agg.apply(click(T0 + 1, 'b', 'FR'));
    agg.markFlushed();
    agg.apply(click(T0 + 2)); // only this cell is changed now
    agg.advanceTo(T0 + MIN + L);
    const { closed } = agg.delta();
    expect(closed).toEqual([T0]);
    expect(agg.rowsOf(closed)).toEqual([
      { windowStart: T0, adId: 'a', country: 'DE', clicks: 2 },
      { windowStart: T0, adId: 'b', country: 'FR', clicks: 1 },
    ]);
    agg.markFlushed();
    expect(agg.rowsOf(closed)).toEqual([]);
  });

  it('round-trips through a snapshot and continues identically', () => {
    const a = new WindowAggregator(L);
    [0, 1, MIN, 2 * MIN].forEach((d, i) => a.apply(click(T0 + d, `ad${i % 2}`)));
    a.markFlushed();
    const b = WindowAggregator.restore(JSON.parse(JSON.stringify(a.snapshot())), L);
    expect(b.snapshot()).toEqual(a.snapshot());
    for (const x of [a, b]) x.apply(click(T0 + 3, 'ad0'));
    expect(b.changedRows()).toEqual(a.changedRows());
  });

  it('a restored aggregator can re-write every window it holds', () => {
    const a = new WindowAggregator(L);
    a.apply(click(T0));
    a.apply(click(T0 + MIN, 'b'));
    a.markFlushed();
    const b = WindowAggregator.restore(a.snapshot(), L);
    expect(b.changedRows()).toEqual([]);
    b.markAllChanged();
    expect(b.changedRows()).toHaveLength(2);
  });

  it('reports a cell once per flush however often it changed, also after markAllChanged', () => {
    const agg = new WindowAggregator(L);
    agg.apply(click(T0));
    agg.markAllChanged();
    agg.apply(click(T0 + 1));
    agg.apply(click(T0 + 2, 'b'));
    agg.markAllChanged();
    expect(agg.changedRows()).toEqual([
      { windowStart: T0, adId: 'a', country: 'DE', clicks: 2 },
      { windowStart: T0, adId: 'b', country: 'DE', clicks: 1 },
    ]);
    agg.markFlushed();
    agg.apply(click(T0 + 3, 'b'));
    expect(agg.changedRows()).toEqual([{ windowStart: T0, adId: 'b', country: 'DE', clicks: 2 }]);
  });

  it('keeps the snapshot format: [window start, [adId NUL country, clicks][]][]', () => {
    const agg = new WindowAggregator(L);
    agg.apply(click(T0, 'a', 'DE'));
    agg.apply(click(T0 + MIN, 'b', 'FR'));
    agg.apply(click(T0 + MIN, 'b', 'FR'));
    expect(agg.snapshot()).toEqual({
      observedStreamTime: T0 + MIN,
      windows: [
        [T0, [['a\u0000DE', 1]]],
        [T0 + MIN, [['b\u0000FR', 2]]],
      ],
    });
  });
});

describe('WindowAggregator checkpoint deltas', () => {
  /** What the checkpoint script keeps in Redis: one hash per open window, plus stream time. */
  class DeltaStore {
    readonly windows = new Map<number, Map<string, number>>();
    streamTime = Number.NEGATIVE_INFINITY;
    open: number[] = [];

    apply(delta: ReturnType<WindowAggregator['delta']>): void {
      for (const [start, cells] of delta.changed) {
        const w = this.windows.get(start) ?? new Map<string, number>();
        for (const [key, clicks] of cells) w.set(key, clicks);
        this.windows.set(start, w);
      }
      for (const start of delta.closed) this.windows.delete(start);
      this.streamTime = delta.observedStreamTime;
      this.open = delta.openWindows;
    }

    /** What a restore reads: the listed open windows and their cells. */
    restore(): WindowAggregator {
      const windows = this.open.map((start): [number, [string, number][]] => [
        start,
        [...(this.windows.get(start) ?? new Map<string, number>())],
      ]);
      return WindowAggregator.restore({ observedStreamTime: this.streamTime, windows }, L);
    }
  }

  const sorted = (a: WindowAggregator) =>
    a
      .snapshot()
      .windows.map(([start, cells]) => [start, [...cells].sort()])
      .sort((x, y) => Number(x[0]) - Number(y[0]));

  it('saving only deltas restores exactly the full state, through window closes, late events and a restart', () => {
    let seed = 3;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let agg = new WindowAggregator(L);
    const store = new DeltaStore();
    let t = T0;
    for (let flush = 0; flush < 120; flush++) {
      for (let i = 0; i < 50; i++) {
        t += Math.floor(rand() * 2000);
        // Mostly in order, some up to 8 minutes late (past the allowed lateness: not counted).
        const ts = t - (rand() < 0.1 ? Math.floor(rand() * 8 * MIN) : 0);
        agg.apply({ adId: `ad-${Math.floor(rand() * 30)}`, country: rand() < 0.5 ? 'US' : 'DE', ts });
      }
      const delta = agg.delta();
      agg.markFlushed();
      store.apply(delta);
      expect(store.windows.size).toBe(agg.openWindowCount);
      expect(sorted(store.restore())).toEqual(sorted(agg));
      expect(store.restore().observedStreamTime).toBe(agg.observedStreamTime);
      if (flush === 60) {
        // A new owner restores from the store, re-marks everything changed, and goes on.
        agg = store.restore();
        agg.markAllChanged();
      }
    }
    expect(store.windows.size).toBeLessThanOrEqual(7);
  });

  it('a delta carries only the cells changed since the last flush', () => {
    const agg = new WindowAggregator(L);
    agg.apply({ adId: 'a', country: 'US', ts: T0 });
    agg.apply({ adId: 'b', country: 'US', ts: T0 });
    agg.markFlushed();
    agg.apply({ adId: 'a', country: 'US', ts: T0 + 1 });
    expect(agg.delta()).toEqual({
      observedStreamTime: T0 + 1,
      openWindows: [T0],
      changed: [[T0, [['a\u0000US', 2]]]],
      closed: [],
    });
    agg.advanceTo(closeTime(T0, L));
    expect(agg.delta()).toMatchObject({ openWindows: [], changed: [], closed: [T0] });
  });
});
