/** Table names. Every table is a WAL table with DEDUP UPSERT KEYS, so re-writing a row is idempotent. */
export const TABLES = {
  minuteCounts: 'ad_clicks_1m',
  invalidMinuteCounts: 'ad_invalid_clicks_1m',
  raw: 'clicks_raw',
  invalidRaw: 'clicks_raw_invalid',
} as const;

/**
 * Clicks and rows per (minute, country) over all ads, refreshed by QuestDB after each transaction of `ad_clicks_1m`.
 * Every row of the base table only grows (cumulative counts, upserted), so equal totals mean an unchanged minute:
 * the gateway uses it to tell whether a per-minute top list it computed earlier still holds.
 */
export const MINUTE_TOTALS_VIEW = 'ad_clicks_1m_totals';

/**
 * `ad_id` holds up to the seed's 2M ads and more: a symbol capacity far below the distinct count makes every
 * string-to-key lookup (each ILP write, each `ad_id = $1`) walk long hash chains. NOCACHE keeps the 2M strings
 * off the JVM heap. The INDEX makes one-ad queries read only that ad's rows instead of scanning the window.
 */
export const AD_ID_SYMBOL = { capacity: 4_194_304, cached: false, indexed: true } as const;
const AD_ID = `ad_id SYMBOL CAPACITY ${AD_ID_SYMBOL.capacity} NOCACHE INDEX`;

/**
 * Cumulative clicks per (minute, ad, country, shard): each shard actor is the only writer of its `shard` rows and
 * re-writes the running total, so the last write wins and a query sums over shards. Clicks that arrived after their
 * window closed are folded in as rows of their own (`shard` = `s3/late`, `late` = true), so queries can say how many
 * of a number's clicks came late.
 */
export const SCHEMA_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${TABLES.minuteCounts} (
     ts TIMESTAMP, ${AD_ID}, country SYMBOL CAPACITY 256, shard SYMBOL CAPACITY 1024, clicks LONG, late BOOLEAN
   ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, ad_id, country, shard)`,
  // Invalid (not billable) clicks, per reason, written like the valid counts: cumulative, one writer per shard.
  `CREATE TABLE IF NOT EXISTS ${TABLES.invalidMinuteCounts} (
     ts TIMESTAMP, ${AD_ID}, country SYMBOL CAPACITY 256, shard SYMBOL CAPACITY 1024, reason SYMBOL CAPACITY 16,
     clicks LONG, late BOOLEAN
   ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, ad_id, country, shard, reason)`,
  `CREATE TABLE IF NOT EXISTS ${TABLES.raw} (
     ts TIMESTAMP, event_id VARCHAR, ${AD_ID}, user_id VARCHAR, ip VARCHAR,
     country SYMBOL CAPACITY 256, shard SYMBOL CAPACITY 1024, impression_id VARCHAR, user_agent VARCHAR,
     partner_id SYMBOL CAPACITY 4096
   ) TIMESTAMP(ts) PARTITION BY HOUR WAL DEDUP UPSERT KEYS(ts, event_id)`,
  // The verdict of every invalid click, beside the raw archive (same key): a click absent here was valid. Written by
  // the shard actor with its counts, so a verdict is stored exactly when the count that includes it is.
  `CREATE TABLE IF NOT EXISTS ${TABLES.invalidRaw} (
     ts TIMESTAMP, event_id VARCHAR, ${AD_ID}, reason SYMBOL CAPACITY 16, country SYMBOL CAPACITY 256,
     shard SYMBOL CAPACITY 1024, user_id VARCHAR, ip VARCHAR, late BOOLEAN
   ) TIMESTAMP(ts) PARTITION BY HOUR WAL DEDUP UPSERT KEYS(ts, event_id)`,
  `CREATE MATERIALIZED VIEW IF NOT EXISTS ${MINUTE_TOTALS_VIEW} AS (
     SELECT ts, country, sum(clicks) clicks, count() row_count FROM ${TABLES.minuteCounts} SAMPLE BY 1m
   ) PARTITION BY DAY`,
];

/** The `shard` of a shard's folded-in late rows in ad_clicks_1m is its name with this suffix (`s3/late`). */
export const LATE_SHARD_SUFFIX = '/late';

/** What `table_columns()` says about a table's `ad_id`. */
export interface SymbolColumnState {
  symbolCapacity: number;
  symbolCached: boolean;
  indexed: boolean;
}

/**
 * The ALTERs that bring an `ad_id` created by an older schema (CAPACITY 65536, cached, no index) to
 * AD_ID_SYMBOL; none once it matches, so running it again is a no-op.
 */
export function adIdUpgradeDdl(table: string, state: SymbolColumnState): string[] {
  const alter = `ALTER TABLE ${table} ALTER COLUMN ad_id`;
  const out: string[] = [];
  if (state.symbolCapacity < AD_ID_SYMBOL.capacity) out.push(`${alter} SYMBOL CAPACITY ${AD_ID_SYMBOL.capacity}`);
  if (state.symbolCached) out.push(`${alter} NOCACHE`);
  if (!state.indexed) out.push(`${alter} ADD INDEX`);
  return out;
}
