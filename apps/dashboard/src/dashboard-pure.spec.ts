import type { SeriesPoint } from '@clicks/query';
import { errorMessage } from './api';
import { chartColumns, chartSummary } from './chart-data';
import { csvFileName, seriesCsv } from './csv';
import { sortRows } from './sort';
import { DEFAULT_VIEW, formatView, lastHour, parseView, rangeQuery, ViewState } from './view-state';

const NONE = { blocked_ip: 0, bot: 0, too_fast: 0, ip_rate: 0, repeat_user: 0 };
const point = (start: string, clicks: number, partial = false, extra: Partial<SeriesPoint> = {}): SeriesPoint => ({
  start,
  clicks,
  late: 0,
  invalid: 0,
  invalidByReason: NONE,
  partial,
  ...extra,
});

describe('view state in the URL fragment', () => {
  it.each<[string, Partial<ViewState>]>([
    ['', {}],
    ['#scope=ad&id=ad-1&range=24h', { scope: 'ad', id: 'ad-1', range: '24h', granularity: '15m' }],
    ['#scope=campaign&id=c1&range=7d&g=1d', { scope: 'campaign', id: 'c1', range: '7d', granularity: '1d' }],
    ['#range=15m&country=de&n=25', { range: '15m', country: 'DE', topN: 25 }],
    ['#scope=evil&range=1y&g=2m&n=5000', {}],
    [
      '#range=custom&from=2026-12-01T10:00:00.000Z&to=2026-12-01T11:00:00.000Z',
      { range: 'custom', from: '2026-12-01T10:00:00.000Z', to: '2026-12-01T11:00:00.000Z' },
    ],
  ])('%s reads as the default view with %o', (hash, expected) => {
    expect(parseView(hash)).toEqual({ ...DEFAULT_VIEW, ...expected });
  });

  it('formats what it parses back', () => {
    for (const hash of [
      '#scope=ad&id=a.b_c-1&range=24h&g=15m',
      '#scope=advertiser&range=custom&from=x&to=y&g=1h&n=25',
    ]) {
      expect(formatView(parseView(hash))).toBe(hash);
    }
  });

  it('starts a custom range as the hour up to the end of the current minute', () => {
    expect(lastHour(Date.UTC(2026, 11, 1, 10, 30, 15))).toEqual({
      from: '2026-12-01T09:31:00.000Z',
      to: '2026-12-01T10:31:00.000Z',
    });
  });

  it('asks for minutes on a preset and from/to on a custom range', () => {
    expect(rangeQuery({ ...DEFAULT_VIEW, range: '7d' })).toEqual({ minutes: 10080 });
    expect(rangeQuery({ ...DEFAULT_VIEW, range: 'custom', from: 'f', to: 't' })).toEqual({ from: 'f', to: 't' });
  });
});

describe('chart columns', () => {
  it('draws closed buckets solid and the open one dotted from the last closed bucket', () => {
    const c = chartColumns([
      point('2026-12-01T10:00:00.000Z', 3),
      point('2026-12-01T10:01:00.000Z', 5, false, { invalid: 2, late: 1 }),
      point('2026-12-01T10:02:00.000Z', 1, true),
    ]);
    expect(c).toEqual({
      x: [0, 60, 120].map((s) => Date.UTC(2026, 11, 1, 10) / 1000 + s),
      clicks: [3, 5, null],
      open: [null, 5, 1],
      invalid: [0, 2, 0],
      late: [0, 1, 0],
    });
  });

  it('has no open series when every bucket is closed, and no late one when unknown', () => {
    const c = chartColumns([point('2026-12-01T10:00:00.000Z', 3, false, { late: undefined })]);
    expect(c.open).toEqual([null]);
    expect(c.late).toEqual([null]);
  });

  it('summarises for screen readers', () => {
    expect(chartSummary('Ad a1', 10, 2, 1)).toBe(
      'Ad a1: 10 valid clicks, 1 of them late; 2 invalid clicks not counted.',
    );
    expect(chartSummary('Ad a1', 10, 0, undefined)).toBe('Ad a1: 10 valid clicks; 0 invalid clicks not counted.');
  });
});

describe('CSV of the chart', () => {
  it('has a header, one row per bucket and CRLF line ends', () => {
    const csv = seriesCsv([
      point('2026-12-01T10:00:00.000Z', 3, false, { invalid: 2, invalidByReason: { ...NONE, bot: 2 } }),
      point('2026-12-01T10:01:00.000Z', 1, true, { late: undefined }),
    ]);
    expect(csv.split('\r\n')).toEqual([
      'bucket_start,clicks,late,invalid,invalid_blocked_ip,invalid_bot,invalid_too_fast,invalid_ip_rate,invalid_repeat_user,partial',
      '2026-12-01T10:00:00.000Z,3,0,2,0,2,0,0,0,false',
      '2026-12-01T10:01:00.000Z,1,,0,0,0,0,0,0,true',
      '',
    ]);
  });

  it('names the file after what it holds, safely', () => {
    expect(csvFileName('ad', 'a/1', '2026-12-01T10:00:00.000Z')).toBe('clicks-ad-a_1-2026-12-01T10-00Z.csv');
  });
});

describe('table sorting', () => {
  const rows = [
    { adId: 'b', clicks: 3 },
    { adId: 'a', clicks: 3 },
    { adId: 'c', clicks: 9 },
  ];
  it.each([
    ['clicks', 'descending', ['c', 'b', 'a']],
    ['clicks', 'ascending', ['b', 'a', 'c']],
    ['adId', 'ascending', ['a', 'b', 'c']],
    ['adId', 'descending', ['c', 'b', 'a']],
  ] as const)('by %s %s', (key, direction, order) => {
    expect(sortRows(rows, key, direction).map((r) => r.adId)).toEqual(order);
  });
});

describe('error messages', () => {
  it.each([
    [{ error: 'invalid_parameter', param: 'minutes' }, 'minutes: invalid_parameter'],
    [{ message: 'Unauthorized', statusCode: 401 }, 'Unauthorized'],
    [{ message: ['a', 'b'] }, 'a; b'],
    [{ type: 'about:blank', title: 'Bad', detail: 'minutes must be 1-44640' }, 'minutes must be 1-44640'],
    [undefined, 'HTTP 502'],
  ])('%j says %s', (body, text) => {
    expect(errorMessage(502, body)).toBe(text);
  });
});
