import { createBuffer, SenderOptions } from '@questdb/nodejs-client';
import { minuteCountLine, MinuteCountRow } from './aggregate-writer';
import { ilpLong, ilpName, ilpString, ilpTimestamp } from './ilp-line';
import { rawClickLine, RawClickRow } from './raw-archive-writer';

/** What @questdb/nodejs-client's own buffer writes for the same row (protocol v2, text columns only). */
async function clientLine(write: (b: ReturnType<typeof createBuffer>) => void): Promise<string> {
  const buffer = createBuffer(await SenderOptions.fromConfig('http::addr=localhost:9000;protocol_version=2'));
  write(buffer);
  return buffer.toBufferNew()?.toString('utf8') ?? '';
}

const T = Date.parse('2026-11-23T12:34:56.789Z');
const AWKWARD = ['plain', 'with space', 'a,b=c', 'line\nbreak\r', 'back\\slash', 'quote"d', 'ünï€ode', ''];

describe('ILP escaping', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', 'a\\ b'],
    ['a,b=c', 'a\\,b\\=c'],
    ['x\ny\rz', 'x\\\ny\\\rz'],
    ['back\\slash', 'back\\\\slash'],
    ['quote"d', 'quote"d'],
  ])('name/symbol %j -> %j', (raw, escaped) => expect(ilpName(raw)).toBe(escaped));

  it.each([
    ['plain', '"plain"'],
    ['a b,c=d', '"a b,c=d"'],
    ['quote"d', '"quote\\"d"'],
    ['back\\slash', '"back\\\\slash"'],
    ['x\ny', '"x\\\ny"'],
  ])('string %j -> %j', (raw, escaped) => expect(ilpString(raw)).toBe(escaped));

  it.each([
    [0, '0t'],
    [1, '1000t'],
    [-1, '-1000t'],
    [T, `${T}000t`],
  ])('timestamp %i ms -> %s (microseconds)', (ms, ns) => expect(ilpTimestamp(ms)).toBe(ns));

  it.each([[1.5], [Number.NaN], [2 ** 60]])('rejects the non-integer %d', (v) => {
    expect(() => ilpTimestamp(v)).toThrow(RangeError);
    expect(() => ilpLong(v)).toThrow(RangeError);
  });
});

describe('row lines equal what the QuestDB client writes', () => {
  it.each(AWKWARD)('raw click with values like %j', async (v) => {
    const row: RawClickRow = {
      ts: T,
      eventId: `e-${v}`,
      adId: `ad-${v}`,
      shard: 's3',
      country: 'DE',
      userId: v,
      ip: `10.0.0.1${v}`,
      impressionId: `imp-${v}`,
      userAgent: `Mozilla/5.0 (${v})`,
    };
    const expected = await clientLine((b) => {
      b.table('clicks_raw').symbol('ad_id', row.adId).symbol('country', row.country).symbol('shard', row.shard);
      b.stringColumn('event_id', row.eventId).stringColumn('user_id', v).stringColumn('ip', row.ip!);
      b.stringColumn('impression_id', row.impressionId!).stringColumn('user_agent', row.userAgent!);
      b.at(row.ts, 'ms');
    });
    expect(rawClickLine(row)).toBe(expected);
  });

  it('raw click with its partner: a symbol after the shard', async () => {
    const row: RawClickRow = { ts: T, eventId: 'e1', adId: 'a1', shard: 's0', country: 'DE', partnerId: 'p 1' };
    const expected = await clientLine((b) => {
      b.table('clicks_raw').symbol('ad_id', 'a1').symbol('country', 'DE').symbol('shard', 's0');
      b.symbol('partner_id', 'p 1').stringColumn('event_id', 'e1').at(T, 'ms');
    });
    expect(rawClickLine(row)).toBe(expected);
  });

  it('raw click without optional columns leaves them out', async () => {
    const row: RawClickRow = { ts: T, eventId: 'e1', adId: 'a1', shard: 's0', country: '--' };
    const expected = await clientLine((b) => {
      b.table('clicks_raw').symbol('ad_id', 'a1').symbol('country', '--').symbol('shard', 's0');
      b.stringColumn('event_id', 'e1').at(T, 'ms');
    });
    expect(rawClickLine(row)).toBe(expected);
    expect(rawClickLine({ ...row, userId: null as unknown as string })).toBe(expected);
  });

  it.each(AWKWARD)('minute count for an ad like %j', async (v) => {
    const row: MinuteCountRow = { ts: T - (T % 60_000), adId: `ad ${v}`, country: 'US', shard: 's15', clicks: 12345 };
    const expected = await clientLine((b) => {
      b.table('ad_clicks_1m').symbol('ad_id', row.adId).symbol('country', 'US').symbol('shard', 's15');
      b.intColumn('clicks', 12345).at(row.ts, 'ms');
    });
    expect(minuteCountLine(row)).toBe(expected);
  });
});
