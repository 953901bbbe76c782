import { SqlQuery } from './click-query-sql';
import { TABLES } from './schema';

/** The table's clicks per minute and shard in [from, to), of one ad if given; empty pairs are absent. */
function perMinute(table: string, clicks: string, from: number, to: number, adId?: string): SqlQuery {
  const values: unknown[] = [new Date(from), new Date(to)];
  const where = ['ts >= $1', 'ts < $2'];
  if (adId !== undefined) {
    values.push(adId);
    where.push(`ad_id = $${values.length}`);
  }
  return {
    text: `SELECT ts, shard, ${clicks} AS clicks FROM ${table} WHERE ${where.join(' AND ')} SAMPLE BY 1m ALIGN TO CALENDAR`,
    values,
  };
}

/** Archived clicks per minute and shard: one raw row per unique click, late ones included. */
export const archivedPerMinuteSql = (from: number, to: number, adId?: string) =>
  perMinute(TABLES.raw, 'count()', from, to, adId);

/** Counted valid clicks per minute and shard: the cumulative (minute, ad, country, shard) counts, summed. */
export const countedPerMinuteSql = (from: number, to: number, adId?: string) =>
  perMinute(TABLES.minuteCounts, 'sum(clicks)', from, to, adId);

/** Counted invalid clicks per minute and shard, every reason together. */
export const invalidPerMinuteSql = (from: number, to: number, adId?: string) =>
  perMinute(TABLES.invalidMinuteCounts, 'sum(clicks)', from, to, adId);
