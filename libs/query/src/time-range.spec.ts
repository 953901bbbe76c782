import { fillSeries, invalidOfSeries, QueryParamError, resolveRange } from './time-range';

const NOW = Date.parse('2026-11-23T12:34:56Z');
const MAX = 31 * 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

describe('resolveRange', () => {
  it('minutes=M covers the M most recent minutes including the current one', () => {
    const r = resolveRange({ minutes: '3' }, NOW, MAX);
    expect([iso(r.from), iso(r.to)]).toEqual(['2026-11-23T12:32:00.000Z', '2026-11-23T12:35:00.000Z']);
  });

  it('floors from and to to the minute', () => {
    const r = resolveRange({ from: '2026-11-23T10:00:30Z', to: '2026-11-23T10:05:59.999+00:00' }, NOW, MAX);
    expect([iso(r.from), iso(r.to)]).toEqual(['2026-11-23T10:00:00.000Z', '2026-11-23T10:05:00.000Z']);
  });

  it.each([
    [{}, 'minutes'],
    [{ minutes: '0' }, 'minutes'],
    [{ minutes: '-1' }, 'minutes'],
    [{ minutes: '1.5' }, 'minutes'],
    [{ minutes: "1' OR 1=1" }, 'minutes'],
    [{ minutes: '44641' }, 'minutes'],
    [{ minutes: '5', from: '2026-11-23T10:00:00Z' }, 'minutes'],
    [{ from: '2026-11-23T10:00:00Z' }, 'to'],
    [{ to: '2026-11-23T10:00:00Z' }, 'from'],
    [{ from: 'yesterday', to: '2026-11-23T10:00:00Z' }, 'from'],
    [{ from: '2026-11-23T10:00:00', to: '2026-11-23T11:00:00Z' }, 'from'],
    [{ from: '2026-11-23T10:00:00Z', to: '2026-11-23T10:00:30Z' }, 'to'],
    [{ from: '2026-11-23T11:00:00Z', to: '2026-11-23T10:00:00Z' }, 'to'],
    [{ from: '2026-09-01T00:00:00Z', to: '2026-11-23T10:00:00Z' }, 'from'],
  ])('rejects %j naming %s', (params, param) => {
    expect(() => resolveRange(params, NOW, MAX)).toThrow(QueryParamError);
    try {
      resolveRange(params, NOW, MAX);
    } catch (e) {
      expect((e as QueryParamError).param).toBe(param);
    }
  });
});

describe('fillSeries', () => {
  const from = Date.parse('2026-11-23T10:00:00Z');
  const MIN = 60_000;

  it('includes every minute, with zeros, and flags the open one partial', () => {
    const s = fillSeries({ from, to: from + 3 * MIN }, MIN, [{ ts: from + MIN, clicks: 4 }], from + 2 * MIN + 5);
    expect(s.map(({ start, clicks, partial, invalid }) => ({ start, clicks, partial, invalid }))).toEqual([
      { start: '2026-11-23T10:00:00.000Z', clicks: 0, partial: false, invalid: 0 },
      { start: '2026-11-23T10:01:00.000Z', clicks: 4, partial: false, invalid: 0 },
      { start: '2026-11-23T10:02:00.000Z', clicks: 0, partial: true, invalid: 0 },
    ]);
  });

  it('sums invalid clicks per reason into buckets, every reason present, and over the series', () => {
    const minutes: { ts: number; clicks: number; invalid: Record<string, number> }[] = [
      { ts: from, clicks: 3, invalid: { bot: 2, ip_rate: 1 } },
      { ts: from + MIN, clicks: 1, invalid: { bot: 1 } },
      { ts: from + 2 * MIN, clicks: 0, invalid: { repeat_user: 4 } },
    ];
    const s = fillSeries({ from, to: from + 3 * MIN }, 2 * MIN, minutes, from + 10 * MIN);
    expect(s.map((p) => [p.clicks, p.invalid, p.invalidByReason])).toEqual([
      [4, 4, { blocked_ip: 0, bot: 3, too_fast: 0, ip_rate: 1, repeat_user: 0 }],
      [0, 4, { blocked_ip: 0, bot: 0, too_fast: 0, ip_rate: 0, repeat_user: 4 }],
    ]);
    expect(invalidOfSeries(s)).toEqual({
      invalid: 8,
      invalidByReason: { blocked_ip: 0, bot: 3, too_fast: 0, ip_rate: 1, repeat_user: 4 },
    });
  });

  it('sums minutes into aligned buckets; a bucket clipped by the range keeps its aligned start', () => {
    const minutes = [3, 4, 5, 9, 10, 14, 15].map((m, i) => ({ ts: from + m * MIN, clicks: i + 1 }));
    const s = fillSeries({ from: from + 3 * MIN, to: from + 16 * MIN }, 5 * MIN, minutes, from + 60 * MIN);
    expect(s.map((p) => [p.start.slice(11, 16), p.clicks, p.partial])).toEqual([
      ['10:00', 1 + 2, false],
      ['10:05', 3 + 4, false],
      ['10:10', 5 + 6, false],
      ['10:15', 7, false],
    ]);
  });

  it.each([
    [15 * MIN, from + 14 * MIN, [true]],
    [15 * MIN, from + 15 * MIN, [false]],
    [3_600_000, from - 1, [true]],
  ])('bucket of %p ms is partial at now=%p: %p', (bucket, now, partial) => {
    expect(fillSeries({ from, to: from + MIN }, bucket, [], now).map((p) => p.partial)).toEqual(partial);
  });

  it('aligns days to UTC midnight', () => {
    const s = fillSeries({ from, to: from + 15 * 3_600_000 }, 86_400_000, [{ ts: from, clicks: 2 }], from);
    expect(s.map((p) => [p.start, p.clicks])).toEqual([
      ['2026-11-23T00:00:00.000Z', 2],
      ['2026-11-24T00:00:00.000Z', 0],
    ]);
  });
});
