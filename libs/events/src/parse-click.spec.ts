import { CSV_CLICK_HEADER, clickLineToInput, detectClickLogFormat } from './click-log-line';
import { deriveEventId } from './derive-event-id';
import { parseClick } from './parse-click';
import { decodeClick, encodeClick, MalformedEntryError } from './stream-codec';

const NOW = Date.parse('2026-11-23T12:00:30.000Z');
const limits = { maxFutureSkewMs: 300_000, maxAgeMs: 86_400_000 };

describe('parseClick', () => {
  it('accepts a full click, upper-cases the country, drops unknown fields', () => {
    const r = parseClick(
      { eventId: 'e-1', adId: 'ad.1', timestamp: '2026-11-23T12:00:00Z', country: 'de', ip: '10.0.0.1', extra: 1 },
      NOW,
      limits,
    );
    expect(r).toEqual({
      ok: true,
      event: { eventId: 'e-1', adId: 'ad.1', ts: Date.parse('2026-11-23T12:00:00Z'), country: 'DE', ip: '10.0.0.1' },
    });
  });

  it('derives a stable event id from the timestamp when eventId is absent', () => {
    const a = parseClick({ adId: 'a', userId: 'u', ip: '::1', timestamp: NOW - 5 }, NOW, limits);
    const b = parseClick({ adId: 'a', userId: 'u', ip: '::1', timestamp: NOW - 5 }, NOW + 1000, limits);
    expect(a).toEqual(b);
    expect(a.ok && a.event.eventId).toBe(deriveEventId('a', NOW - 5, 'u', '::1'));
  });

  it('uses server time when only eventId is given', () => {
    const a = parseClick({ adId: 'a', eventId: 'e-9' }, NOW, limits);
    expect(a.ok && a.event).toEqual({ eventId: 'e-9', adId: 'a', ts: NOW });
  });

  it('rejects a click with neither eventId nor timestamp, naming eventId (a retry would count twice)', () => {
    const r = parseClick({ adId: 'a', userId: 'u' }, NOW, limits);
    expect(!r.ok && r.error.field).toBe('eventId');
  });

  it('accepts epoch milliseconds', () => {
    const r = parseClick({ adId: 'a', timestamp: NOW - 1000 }, NOW, limits);
    expect(r.ok && r.event.ts).toBe(NOW - 1000);
  });

  it.each([
    [null, 'body'],
    [[], 'body'],
    ['text', 'body'],
    [{}, 'adId'],
    [{ adId: '' }, 'adId'],
    [{ adId: 'a'.repeat(65) }, 'adId'],
    [{ adId: 'a/b' }, 'adId'],
    [{ adId: 'a', eventId: 'has space' }, 'eventId'],
    [{ adId: 'a', timestamp: 'yesterday' }, 'timestamp'],
    [{ adId: 'a', timestamp: -5 }, 'timestamp'],
    [{ adId: 'a', timestamp: NOW + 301_000 }, 'timestamp'],
    [{ adId: 'a', timestamp: NOW - 86_400_001 }, 'timestamp'],
    [{ adId: 'a', country: 'DEU' }, 'country'],
    [{ adId: 'a', country: 'XX' }, 'country'],
    [{ adId: 'a', country: 'zz' }, 'country'],
    [{ adId: 'a', ip: '300.1.1.1' }, 'ip'],
    [{ adId: 'a', userId: 'u'.repeat(129) }, 'userId'],
    [{ adId: 'a', userAgent: 7 }, 'userAgent'],
  ])('rejects %j naming %s', (input, field) => {
    const r = parseClick(input, NOW, limits);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.field).toBe(field);
  });
});

describe('stream codec', () => {
  it('round-trips a click', () => {
    const e = { eventId: 'e', adId: 'a', ts: NOW, country: 'FR' };
    expect(decodeClick('1-0', encodeClick(e))).toEqual(e);
  });

  it.each([
    undefined,
    'not json',
    '{"adId":"a"}',
    'null',
    '{"eventId":"e","adId":"","ts":1}',
    '{"eventId":"e","adId":"a","ts":1.5}',
    '{"eventId":"e","adId":"a","ts":"1"}',
    '{"eventId":"e","adId":"a","ts":-1}',
    '{"eventId":"e","adId":"a","ts":1e300}',
    '{"eventId":"e","adId":"a","ts":1,"country":7}',
  ])('rejects payload %j with a typed error naming the entry', (p) => {
    expect(() => decodeClick('1-0', p)).toThrow(MalformedEntryError);
    expect(() => decodeClick('1-0', p)).toThrow(/1-0/);
  });
});

describe('click log lines', () => {
  it('maps a CSV line onto the JSON schema', () => {
    expect(clickLineToInput('ad-1,1795440000000,u1,192.0.2.1,de', 'csv')).toEqual({
      ok: true,
      input: { adId: 'ad-1', timestamp: 1795440000000, userId: 'u1', ip: '192.0.2.1', country: 'de' },
    });
    expect(clickLineToInput('ad-1,2026-11-23T12:00:00Z,,,', 'csv')).toEqual({
      ok: true,
      input: { adId: 'ad-1', timestamp: '2026-11-23T12:00:00Z' },
    });
    expect(detectClickLogFormat(CSV_CLICK_HEADER)).toBe('csv');
    expect(detectClickLogFormat('{"adId":"a"}')).toBe('ndjson');
  });

  it.each([
    ['a,1,2', 'csv'],
    ['"unterminated,1,2,3,4', 'csv'],
    ['{nope', 'ndjson'],
    ['[1]', 'ndjson'],
  ] as const)('rejects %j as %s', (line, format) => {
    expect(clickLineToInput(line, format).ok).toBe(false);
  });
});
