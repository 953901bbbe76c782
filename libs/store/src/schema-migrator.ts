import { Pool } from 'pg';
import { adIdUpgradeDdl, MINUTE_TOTALS_VIEW, SCHEMA_DDL, SymbolColumnState, TABLES } from './schema';

/** Days of event time to keep; 0 keeps everything. */
export interface Retention {
  archiveDays: number;
  aggregateDays: number;
}

const DAYS_PER_UNIT: Record<string, number> = { HOUR: 1 / 24, DAY: 1, WEEK: 7 };

/**
 * Sets QuestDB's TTL on the raw archive, the minute aggregates and their totals view, unless already set: QuestDB
 * then drops every partition that ended more than that long before min(now, newest row). Idempotent.
 */
export async function applyRetention(pool: Pool, retention: Retention): Promise<void> {
  await setTtl(pool, 'TABLE', TABLES.raw, retention.archiveDays);
  await setTtl(pool, 'TABLE', TABLES.invalidRaw, retention.archiveDays);
  await setTtl(pool, 'TABLE', TABLES.minuteCounts, retention.aggregateDays);
  await setTtl(pool, 'TABLE', TABLES.invalidMinuteCounts, retention.aggregateDays);
  await setTtl(pool, 'MATERIALIZED VIEW', MINUTE_TOTALS_VIEW, retention.aggregateDays);
}

async function setTtl(pool: Pool, kind: 'TABLE' | 'MATERIALIZED VIEW', name: string, days: number): Promise<void> {
  const { rows } = await pool.query<{ ttlValue: number; ttlUnit: string }>(
    'SELECT ttlValue, ttlUnit FROM tables() WHERE table_name = $1',
    [name],
  );
  const current = rows[0] ? Number(rows[0].ttlValue) * (DAYS_PER_UNIT[rows[0].ttlUnit] ?? NaN) : NaN;
  if (current === days) return;
  await pool.query(`ALTER ${kind} ${name} SET TTL ${days} DAYS`);
}

/** Creates the tables and upgrades those an older schema created (`ad_id`, the `late` column); idempotent. */
export async function ensureSchema(pool: Pool): Promise<void> {
  for (const ddl of SCHEMA_DDL) await pool.query(ddl);
  for (const table of [TABLES.minuteCounts, TABLES.raw]) await upgradeAdIdColumn(pool, table);
  await addColumn(pool, TABLES.minuteCounts, 'late', 'BOOLEAN');
  await addColumn(pool, TABLES.raw, 'partner_id', 'SYMBOL CAPACITY 4096');
}

/**
 * Adds a column a table created by an older schema lacks (`late`, `partner_id`). QuestDB refuses an ALTER that is a
 * no-op on a WAL table (ADD COLUMN IF NOT EXISTS of an existing column, or a racing migrator's): ask first, and take
 * that refusal as done. Names are this module's constants, never input.
 */
async function addColumn(pool: Pool, table: string, column: string, type: string): Promise<void> {
  const { rows } = await pool.query(`SELECT "column" FROM table_columns('${table}') WHERE "column" = '${column}'`);
  if (rows.length > 0) return;
  try {
    await pool.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  } catch (e) {
    if (!String(e).includes('no-op') && !String(e).includes('already exists')) throw e;
  }
}

/**
 * Brings an existing table's `ad_id` to AD_ID_SYMBOL (capacity, NOCACHE, INDEX). WAL tables apply ALTERs
 * asynchronously; a migrator racing this one sends the same ALTERs, which QuestDB takes as no-ops once applied.
 */
export async function upgradeAdIdColumn(pool: Pool, table: string): Promise<void> {
  // table_columns() takes no bind parameter, so the name goes into the text: only a plain identifier may.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) throw new RangeError(`not a plain table name: ${table}`);
  const { rows } = await pool.query<SymbolColumnState>(
    `SELECT symbolCapacity, symbolCached, indexed FROM table_columns('${table}') WHERE "column" = 'ad_id'`,
  );
  if (rows.length !== 1) throw new Error(`table ${table} has no ad_id column`);
  const state = { ...rows[0], symbolCapacity: Number(rows[0].symbolCapacity) };
  for (const ddl of adIdUpgradeDdl(table, state)) await pool.query(ddl);
}
