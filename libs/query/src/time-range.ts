import { CountByReason, isInvalidReason, noInvalidClicks } from '@clicks/fraud';
import { WINDOW_MS, windowStart } from '@clicks/windowing';

/** A bad query parameter; answered 400 naming the parameter. */
export class QueryParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
    this.name = 'QueryParamError';
  }
}

export interface RangeParams {
  minutes?: string;
  from?: string;
  to?: string;
}

export interface TimeRange {
  from: number;
  to: number;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(param: string, value: string): number {
  const t = ISO.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t))
    throw new QueryParamError(param, 'expected an ISO-8601 time with zone, e.g. 2026-11-23T12:00:00Z');
  return windowStart(t);
}

/**
 * `minutes=M`: the M most recent minutes including the current one; or `from`/`to`: from inclusive, to exclusive,
 * both floored to the minute. Exactly one of the two forms; at most `maxWindowMs` long.
 */
export function resolveRange(p: RangeParams, now: number, maxWindowMs: number): TimeRange {
  const hasMinutes = p.minutes !== undefined;
  const hasRange = p.from !== undefined || p.to !== undefined;
  if (hasMinutes && hasRange) throw new QueryParamError('minutes', 'give either minutes or from/to, not both');
  let range: TimeRange;
  if (hasMinutes) {
    const m = Number(p.minutes);
    if (!/^\d+$/.test(p.minutes ?? '') || m < 1) throw new QueryParamError('minutes', 'expected a positive integer');
    const to = windowStart(now) + WINDOW_MS;
    range = { from: to - m * WINDOW_MS, to };
  } else if (hasRange) {
    if (p.from === undefined) throw new QueryParamError('from', 'required with to');
    if (p.to === undefined) throw new QueryParamError('to', 'required with from');
    range = { from: parseInstant('from', p.from), to: parseInstant('to', p.to) };
    if (range.from >= range.to) throw new QueryParamError('to', 'must be at least one minute after from');
  } else {
    throw new QueryParamError('minutes', 'give minutes=M or from and to');
  }
  if (range.to - range.from > maxWindowMs) {
    throw new QueryParamError(hasMinutes ? 'minutes' : 'from', `window longer than ${maxWindowMs / WINDOW_MS} minutes`);
  }
  return range;
}

export interface SeriesPoint {
  start: string;
  clicks: number;
  /** Of `clicks`, those that arrived after their minute's window had closed and were folded in (absent: unknown). */
  late?: number;
  /** Invalid clicks of the bucket (bots, floods, repeats...: not in `clicks`), in all and per reason. */
  invalid: number;
  invalidByReason: CountByReason;
  /** The bucket has not ended yet (it holds the current minute), so its count may still grow. */
  partial: boolean;
}

/**
 * Every bucket of `bucketMs` (aligned to the epoch, so to UTC hours and days) that overlaps the range, zeros
 * included. `minuteTotals` are per-minute counts inside the range; a bucket only clipped by the range counts only
 * the minutes inside it.
 */
export function fillSeries(
  range: TimeRange,
  bucketMs: number,
  minuteTotals: readonly { ts: number; clicks: number; late?: number; invalid?: Record<string, number> }[],
  now: number,
): SeriesPoint[] {
  const bucketOf = (t: number) => Math.floor(t / bucketMs) * bucketMs;
  const byBucket = new Map<number, { clicks: number; late: number; invalid: CountByReason }>();
  // Late counts are known for every minute or for none (they depend on the query's source).
  const lateKnown = minuteTotals.every((m) => m.late !== undefined);
  for (const m of minuteTotals) {
    const b = bucketOf(m.ts);
    const sum = byBucket.get(b) ?? { clicks: 0, late: 0, invalid: noInvalidClicks() };
    sum.clicks += m.clicks;
    sum.late += m.late ?? 0;
    addInvalid(sum.invalid, m.invalid);
    byBucket.set(b, sum);
  }
  const series: SeriesPoint[] = [];
  for (let t = bucketOf(range.from); t < range.to; t += bucketMs) {
    const sum = byBucket.get(t) ?? { clicks: 0, late: 0, invalid: noInvalidClicks() };
    const point: SeriesPoint = {
      start: new Date(t).toISOString(),
      clicks: sum.clicks,
      invalid: totalOf(sum.invalid),
      invalidByReason: sum.invalid,
      partial: t + bucketMs > now,
    };
    if (lateKnown) point.late = sum.late;
    series.push(point);
  }
  return series;
}

/** Adds counts per reason into `into` (reasons the rules do not know are ignored: none are written). */
export function addInvalid(into: CountByReason, counts: Readonly<Record<string, number>> | undefined): void {
  for (const [reason, n] of Object.entries(counts ?? {})) if (isInvalidReason(reason)) into[reason] += n;
}

const totalOf = (counts: CountByReason) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The invalid clicks of a whole series, in all and per reason: what an answer reports beside `total`. */
export function invalidOfSeries(series: readonly SeriesPoint[]): { invalid: number; invalidByReason: CountByReason } {
  const invalidByReason = noInvalidClicks();
  for (const p of series) addInvalid(invalidByReason, p.invalidByReason);
  return { invalid: totalOf(invalidByReason), invalidByReason };
}
