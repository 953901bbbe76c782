import { Pool } from 'pg';
import { adIdUpgradeDdl, SCHEMA_DDL, SymbolColumnState, TABLES } from './schema';

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
