import { isIP } from 'node:net';
import { ClickFilter } from '@clicks/store';
import { QueryParamError } from './time-range';

export const GRANULARITIES = ['1m', '5m', '15m', '1h', '1d'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const MINUTE_MS = 60_000;
export const GRANULARITY_MS: Record<Granularity, number> = {
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};

export interface RawFilter {
  country?: string | null;
  ip?: string | null;
  userId?: string | null;
}

// The same formats the intake accepts (libs/events), so a filter can match what was stored.
const AD_ID = /^[A-Za-z0-9._-]{1,64}$/;
const COUNTRY = /^[A-Za-z]{2}$/;
// Printable characters only: a user id is compared, never interpreted, but control characters are never valid ids.
const USER_ID = /^[^\p{Cc}]{1,128}$/u;
export const MAX_TOP_N = 1000;
export const DEFAULT_TOP_N = 100;

export function parseAdId(value: string | undefined, param = 'adId'): string {
  if (value === undefined || !AD_ID.test(value)) throw new QueryParamError(param, '1-64 characters of [A-Za-z0-9._-]');
  return value;
}

export function parseGranularity(value: string | undefined | null): Granularity {
  if (value === undefined || value === null) return '1m';
  const g = GRANULARITIES.find((k) => k === value);
  if (!g) throw new QueryParamError('granularity', `one of ${GRANULARITIES.join(', ')}`);
  return g;
}

export function parseTopN(value: string | number | undefined | null): number {
  if (value === undefined || value === null) return DEFAULT_TOP_N;
  const text = String(value);
  const n = Number(text);
  if (!/^\d{1,4}$/.test(text) || n < 1 || n > MAX_TOP_N) {
    throw new QueryParamError('n', `an integer from 1 to ${MAX_TOP_N}`);
  }
  return n;
}

/** Validates the filters (country upper-cased); absent, null and empty values mean "no filter". */
export function parseFilter(raw: RawFilter, prefix = ''): ClickFilter {
  const filter: ClickFilter = {};
  const present = (v: string | null | undefined): v is string => v !== undefined && v !== null && v !== '';
  if (present(raw.country)) {
    if (!COUNTRY.test(raw.country)) throw new QueryParamError(`${prefix}country`, 'an ISO-3166 alpha-2 code');
    filter.country = raw.country.toUpperCase();
  }
  if (present(raw.ip)) {
    if (raw.ip.length > 45 || isIP(raw.ip) === 0) {
      throw new QueryParamError(`${prefix}ip`, 'a valid IPv4 or IPv6 address');
    }
    filter.ip = raw.ip;
  }
  if (present(raw.userId)) {
    if (!USER_ID.test(raw.userId)) throw new QueryParamError(`${prefix}userId`, '1-128 printable characters');
    filter.userId = raw.userId;
  }
  return filter;
}
