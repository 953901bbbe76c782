import { fillSeries, QueryParamError, resolveRange } from './time-range';

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
  it('includes every minute, with zeros', () => {
    const from = Date.parse('2026-11-23T10:00:00Z');
    const s = fillSeries({ from, to: from + 180_000 }, [{ ts: from + 60_000, clicks: 4 }]);
    expect(s).toEqual([
      { start: '2026-11-23T10:00:00.000Z', clicks: 0 },
      { start: '2026-11-23T10:01:00.000Z', clicks: 4 },
      { start: '2026-11-23T10:02:00.000Z', clicks: 0 },
    ]);
  });
});
