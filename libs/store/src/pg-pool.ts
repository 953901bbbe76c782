import { DatabaseError, Pool, types } from 'pg';

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

/** A read QuestDB gave up on at the statement timeout (504 to the caller, never a hang). */
export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the query did not finish within ${timeoutMs} ms; ask for a shorter window`);
    this.name = 'QueryTimeoutError';
  }
}

/** QuestDB could not be reached (refused, dropped, no connection in time): 503, the caller retries. */
export class QuestDbUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`QuestDB is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'QuestDbUnavailableError';
  }
}

/**
 * QuestDB has no such table yet: no aggregator has created the schema in it (a fresh QuestDB, the gateway started
 * first). Nothing was counted, but the answer is "not yet" (503) rather than zeros, which would also hide a gateway
 * pointed at the wrong QuestDB.
 */
export class SchemaNotReadyError extends QuestDbUnavailableError {
  constructor(missing: Error) {
    super(`${missing.message}: no aggregator has created the schema in this QuestDB yet`);
    this.name = 'SchemaNotReadyError';
  }
}

const TABLE_MISSING = /table does not exist/i;

/** Whether QuestDB answered that a table the query reads does not exist. */
export function isTableMissing(e: unknown): e is Error {
  return e instanceof Error && TABLE_MISSING.test(e.message);
}

/** Whether `e` failed to reach QuestDB at all, rather than being an error QuestDB answered with. */
export function isConnectionFailure(e: unknown): boolean {
  return !(e instanceof DatabaseError);
}

/**
 * Whether `e` is a statement timeout: QuestDB's own abort (its code is 00000, so only the text tells) or pg's
 * client-side backstop.
 */
export function isStatementTimeout(e: unknown): boolean {
  const message = e instanceof Error ? e.message : '';
  return /^timeout, query aborted/.test(message) || message === 'Query read timeout';
}

/**
 * A pool to QuestDB's Postgres wire. With `statementTimeoutMs`, QuestDB aborts any read running longer (the
 * `statement_timeout` startup option; pg's own option and SET are ignored by QuestDB), and pg gives up on a silent
 * connection well after that. pg-pool discards a connection whose query failed, so a timeout costs one reconnect.
 */
export function createPgPool(url: string, max = 8, statementTimeoutMs?: number): Pool {
  const timeouts =
    statementTimeoutMs === undefined
      ? {}
      : { options: `-c statement_timeout=${statementTimeoutMs}`, query_timeout: 2 * statementTimeoutMs + 1000 };
  const pool = new Pool({ connectionString: url, max, types: typeParsers, connectionTimeoutMillis: 3000, ...timeouts });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it, and readiness reports the outage.
  });
  return pool;
}
