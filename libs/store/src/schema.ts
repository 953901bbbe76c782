/** Table names. Every table is a WAL table with DEDUP UPSERT KEYS, so re-writing a row is idempotent. */
export const TABLES = { minuteCounts: 'ad_clicks_1m', raw: 'clicks_raw' } as const;

/**
 * Cumulative clicks per (minute, ad, country, shard): each shard actor is the only writer of its `shard` rows and
 * re-writes the running total, so the last write wins and a query sums over shards.
 */
export const SCHEMA_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${TABLES.minuteCounts} (
     ts TIMESTAMP, ad_id SYMBOL CAPACITY 65536, country SYMBOL CAPACITY 256, shard SYMBOL CAPACITY 1024, clicks LONG
   ) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, ad_id, country, shard)`,
  `CREATE TABLE IF NOT EXISTS ${TABLES.raw} (
     ts TIMESTAMP, event_id VARCHAR, ad_id SYMBOL CAPACITY 65536, user_id VARCHAR, ip VARCHAR,
     country SYMBOL CAPACITY 256, shard SYMBOL CAPACITY 1024, impression_id VARCHAR, user_agent VARCHAR
   ) TIMESTAMP(ts) PARTITION BY HOUR WAL DEDUP UPSERT KEYS(ts, event_id)`,
];
