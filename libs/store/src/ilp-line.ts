/**
 * InfluxDB line protocol text, as @questdb/nodejs-client writes it, built as one JS string per flush. The client's
 * buffer writes every name and value one character at a time (one native Buffer.write each, some 80-100 per raw
 * click), which made ILP encoding the largest CPU cost of an aggregator worker; here a value that needs no escaping
 * (nearly all of them) is copied whole.
 */

/** Table names, symbol values and column names: space, comma, equals sign, newline, CR and backslash. */
const NAME_SPECIAL = /[ ,=\n\r\\]/;
const NAME_SPECIAL_ALL = /[ ,=\n\r\\]/g;
/** Quoted string values: double quote, newline, CR and backslash. */
const STRING_SPECIAL = /["\n\r\\]/;
const STRING_SPECIAL_ALL = /["\n\r\\]/g;

const backslashed = (ch: string) => `\\${ch}`;

/** A table name, column name or symbol value, escaped for an unquoted position. */
export function ilpName(value: string): string {
  return NAME_SPECIAL.test(value) ? value.replace(NAME_SPECIAL_ALL, backslashed) : value;
}

/** A VARCHAR/STRING field value: quoted, with quotes, newlines and backslashes escaped. */
export function ilpString(value: string): string {
  return `"${STRING_SPECIAL.test(value) ? value.replace(STRING_SPECIAL_ALL, backslashed) : value}"`;
}

/** A LONG field value. */
export function ilpLong(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`ILP integer field must be a safe integer, got ${value}`);
  return `${value}i`;
}

/**
 * The designated timestamp (epoch milliseconds) as protocol v2 writes it: microseconds with the `t` suffix (what
 * the client sends for `at(ts, 'ms')`).
 */
export function ilpTimestamp(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs))
    throw new RangeError(`ILP timestamp must be integer milliseconds, got ${epochMs}`);
  return epochMs === 0 ? '0t' : `${epochMs}000t`;
}
