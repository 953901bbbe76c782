import { Pool } from 'pg';
import { adIdUpgradeDdl, SCHEMA_DDL, SymbolColumnState, TABLES } from './schema';

/** Creates the tables and upgrades `ad_id` of tables an older schema created (idempotent). */
export async function ensureSchema(pool: Pool): Promise<void> {
  for (const ddl of SCHEMA_DDL) await pool.query(ddl);
  for (const table of [TABLES.minuteCounts, TABLES.raw]) await upgradeAdIdColumn(pool, table);
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
