import { Pool } from 'pg';
import { SCHEMA_DDL } from './schema';

/** Creates the tables (idempotent). */
export async function ensureSchema(pool: Pool): Promise<void> {
  for (const ddl of SCHEMA_DDL) await pool.query(ddl);
}
