import { parseAdId, parseFilter, parseGranularity, parseTopN } from './query-params';
import { QueryParamError } from './time-range';

const INJECTION = "x' OR '1'='1";

function paramOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof QueryParamError) return e.param;
    throw e;
  }
  return undefined;
}

describe('query parameters', () => {
  it.each([
    [undefined, '1m'],
    [null, '1m'],
    ['5m', '5m'],
    ['15m', '15m'],
    ['1h', '1h'],
    ['1d', '1d'],
  ])('granularity %p is %p', (v, g) => expect(parseGranularity(v)).toBe(g));

  it.each(['2m', '1M', '', '60', INJECTION])('rejects granularity %p', (v) => {
    expect(paramOf(() => parseGranularity(v))).toBe('granularity');
  });

  it.each([
    [undefined, 100],
    ['1', 1],
    ['1000', 1000],
    [7, 7],
  ])('n %p is %p', (v, n) => expect(parseTopN(v)).toBe(n));

  it.each(['0', '1001', '-1', '1.5', '1e2', '', ' 5', INJECTION, 2.5])('rejects n %p', (v) => {
    expect(paramOf(() => parseTopN(v))).toBe('n');
  });

  it.each(['ad-1', 'A.b_c-9', 'x'.repeat(64)])('accepts ad id %p', (v) => expect(parseAdId(v)).toBe(v));

  it.each([undefined, '', 'x'.repeat(65), 'a b', 'ad/1', INJECTION])('rejects ad id %p', (v) => {
    expect(paramOf(() => parseAdId(v))).toBe('adId');
  });

  it('validates and normalises filters, dropping empty ones', () => {
    expect(parseFilter({ country: 'de', ip: '2001:db8::1', userId: 'u 1' })).toEqual({
      country: 'DE',
      ip: '2001:db8::1',
      userId: 'u 1',
    });
    expect(parseFilter({ country: '', ip: null, userId: undefined })).toEqual({});
    // A user id is any printable text; it only ever travels as a bind parameter.
    expect(parseFilter({ userId: INJECTION })).toEqual({ userId: INJECTION });
  });

  it.each([
    [{ country: 'DEU' }, 'country'],
    [{ country: INJECTION }, 'country'],
    [{ ip: '300.1.1.1' }, 'ip'],
    [{ ip: INJECTION }, 'ip'],
    [{ userId: 'x'.repeat(129) }, 'userId'],
    [{ userId: 'a\nb' }, 'userId'],
  ])('rejects filter %j naming %s', (filter, param) => {
    expect(paramOf(() => parseFilter(filter))).toBe(param);
    expect(paramOf(() => parseFilter(filter, 'filter.'))).toBe(`filter.${param}`);
  });
});
