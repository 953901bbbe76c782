import { MINUTE_TOTALS_VIEW, TABLES } from './schema';

/** Validated filters (libs/query validates them); every value is sent as a bind parameter. */
export interface ClickFilter {
  country?: string;
  ip?: string;
  userId?: string;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/**
 * Where a query is answered: `ip` and `userId` exist only in the raw archives (one row per click, counted; a click
 * with a verdict in clicks_raw_invalid is not billable, so it is left out); the minute aggregates hold cumulative
 * valid counts per (minute, ad, country, shard) and are summed over shards and countries.
 */
function source(filter: ClickFilter): { table: string; clicks: string; late: string | null } {
  return isRawFilter(filter)
    ? { table: TABLES.raw, clicks: 'count()', late: null }
    : { table: TABLES.minuteCounts, clicks: 'sum(clicks)', late: 'sum(CASE WHEN late THEN clicks ELSE 0 END)' };
}

const isRawFilter = (filter: ClickFilter) => filter.ip !== undefined || filter.userId !== undefined;

/**
 * `clicks_raw` without its invalid clicks: a LEFT JOIN on the verdicts of the same time range ($2, $3 here) and
 * `invalid.event_id = NULL` in the WHERE clause. Column names stay unambiguous: the join brings only `event_id`.
 */
function validRaw(fromParam: number, toParam: number): string {
  return `${TABLES.raw} LEFT JOIN (SELECT event_id FROM ${TABLES.invalidRaw}
      WHERE ts >= $${fromParam} AND ts < $${toParam}) invalid ON (event_id)`;
}

/** Builds `col = $k` conditions, numbering the parameters after `values`. */
function conditions(values: unknown[], filter: ClickFilter): string[] {
  const out: string[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    values.push(value);
    out.push(`${column} = $${values.length}`);
  };
  add('country', filter.country);
  add('ip', filter.ip);
  add('user_id', filter.userId);
  return out;
}

/**
 * Clicks of one ad per minute in [from, to), and how many of them were folded in late (not known for the raw
 * archive's filters: no `late` column); minutes without clicks are absent.
 */
export function minuteTotalsSql(adId: string, from: number, to: number, filter: ClickFilter): SqlQuery {
  const { clicks, late } = source(filter);
  const values: unknown[] = [adId, new Date(from), new Date(to)];
  const where = ['ad_id = $1', 'ts >= $2', 'ts < $3', ...conditions(values, filter)];
  if (isRawFilter(filter)) {
    return {
      text: `SELECT ts, ${clicks} AS clicks FROM ${validRaw(2, 3)}
        WHERE ${where.join(' AND ')} AND invalid.event_id = NULL SAMPLE BY 1m ALIGN TO CALENDAR`,
      values,
    };
  }
  return {
    text: `SELECT ts, ${clicks} AS clicks, ${late} AS late FROM ${TABLES.minuteCounts}
      WHERE ${where.join(' AND ')} SAMPLE BY 1m ALIGN TO CALENDAR`,
    values,
  };
}

/**
 * Invalid clicks of one ad per minute and reason in [from, to): from the verdicts under ip/userId filters, else from
 * the invalid minute counts; minutes and reasons without clicks are absent.
 */
export function invalidMinuteTotalsSql(adId: string, from: number, to: number, filter: ClickFilter): SqlQuery {
  const raw = isRawFilter(filter);
  const values: unknown[] = [adId, new Date(from), new Date(to)];
  const where = ['ad_id = $1', 'ts >= $2', 'ts < $3', ...conditions(values, filter)];
  return {
    text: `SELECT ts, reason, ${raw ? 'count()' : 'sum(clicks)'} AS clicks
      FROM ${raw ? TABLES.invalidRaw : TABLES.invalidMinuteCounts}
      WHERE ${where.join(' AND ')} SAMPLE BY 1m ALIGN TO CALENDAR`,
    values,
  };
}

/** Invalid clicks per minute and reason in [from, to) summed over `adIds` (in one country, if given). */
export function adsInvalidMinuteTotalsSql(
  adIds: readonly string[],
  from: number,
  to: number,
  country?: string,
): SqlQuery {
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2', ...conditions(values, { country }), adIdIn(values, adIds)];
  return {
    text: `SELECT ts, reason, sum(clicks) AS clicks FROM ${TABLES.invalidMinuteCounts}
      WHERE ${where.join(' AND ')} SAMPLE BY 1m ALIGN TO CALENDAR`,
    values,
  };
}

/**
 * Clicks per minute in [from, to) summed over `adIds` (in one country, if given), and how many were folded in late;
 * minutes without clicks are absent. An advertiser's or campaign's rollup, one chunk of its ads at a time.
 */
export function adsMinuteTotalsSql(adIds: readonly string[], from: number, to: number, country?: string): SqlQuery {
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2', ...conditions(values, { country }), adIdIn(values, adIds)];
  const { clicks, late } = source({});
  return {
    text: `SELECT ts, ${clicks} AS clicks, ${late} AS late FROM ${TABLES.minuteCounts}
      WHERE ${where.join(' AND ')} SAMPLE BY 1m ALIGN TO CALENDAR`,
    values,
  };
}

/** `ad_id IN ($k, ...)`, numbering the parameters after `values`. */
function adIdIn(values: unknown[], adIds: readonly string[]): string {
  const first = values.length + 1;
  for (const id of adIds) values.push(id); // an advertiser may have more ads than a spread call takes
  return `ad_id IN (${adIds.map((_, i) => `$${first + i}`).join(', ')})`;
}

/** The `n` ads with the most clicks in [from, to), ties by ad id ascending. */
export function topAdsSql(from: number, to: number, n: number, filter: ClickFilter): SqlQuery {
  // QuestDB takes no bind parameter for LIMIT; n is checked to be a small integer here as well as by the caller.
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new RangeError(`top-N limit out of range: ${n}`);
  const { table, clicks } = source(filter);
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2', ...conditions(values, filter)];
  const [sourceSql, valid] = isRawFilter(filter) ? [validRaw(1, 2), ' AND invalid.event_id = NULL'] : [table, ''];
  return {
    text: `SELECT ad_id, ${clicks} AS clicks FROM ${sourceSql} WHERE ${where.join(' AND ')}${valid}
      GROUP BY ad_id ORDER BY clicks DESC, ad_id ASC LIMIT ${n}`,
    values,
  };
}

/**
 * Clicks and rows per minute in [from, to) over all ads (of one country, if given), from the totals view; minutes
 * without rows are absent.
 */
export function minuteSummariesSql(from: number, to: number, country?: string): SqlQuery {
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2', ...conditions(values, { country })];
  return {
    text: `SELECT ts, sum(clicks) AS clicks, sum(row_count) AS row_count FROM ${MINUTE_TOTALS_VIEW}
      WHERE ${where.join(' AND ')} SAMPLE BY 1m`,
    values,
  };
}

/** Whether the totals view is valid (an invalid view is no longer refreshed and must not be trusted). */
export function minuteSummariesStatusSql(): SqlQuery {
  return { text: 'SELECT view_status FROM materialized_views() WHERE view_name = $1', values: [MINUTE_TOTALS_VIEW] };
}

/** Clicks of each of `adIds` in [from, to) (in one country, if given); ads without clicks absent. */
export function adTotalsSql(from: number, to: number, adIds: readonly string[], country?: string): SqlQuery {
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2', ...conditions(values, { country }), adIdIn(values, adIds)];
  return {
    text: `SELECT ad_id, sum(clicks) AS clicks FROM ${TABLES.minuteCounts}
      WHERE ${where.join(' AND ')} GROUP BY ad_id`,
    values,
  };
}

/**
 * Valid (`invalid` false) or invalid clicks per country in [from, to) summed over `adIds`; countries without clicks
 * absent. A country breakdown, one chunk of the ads at a time.
 */
export function countryTotalsSql(adIds: readonly string[], from: number, to: number, invalid: boolean): SqlQuery {
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2', adIdIn(values, adIds)];
  return {
    text: `SELECT country, sum(clicks) AS clicks FROM ${invalid ? TABLES.invalidMinuteCounts : TABLES.minuteCounts}
      WHERE ${where.join(' AND ')} GROUP BY country`,
    values,
  };
}
