import { Pool, types } from 'pg';

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;

// QuestDB sends timestamps without a zone (they are UTC) and LONG as text.
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMP_OID) return (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);
    if (oid === INT8_OID) return (s: string) => Number(s);
    return types.getTypeParser(oid, format) as (s: string) => unknown;
  }) as typeof types.getTypeParser,
};

export function createPgPool(url: string, max = 8): Pool {
  const pool = new Pool({ connectionString: url, max, types: typeParsers, connectionTimeoutMillis: 3000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it, and readiness reports the outage.
  });
  return pool;
}
