export type SortDirection = 'ascending' | 'descending';

/** Rows sorted by one column (numbers numerically, text by code point), ties kept in their given order. */
export function sortRows<R, K extends keyof R>(rows: readonly R[], key: K, direction: SortDirection): R[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const x = a.row[key];
      const y = b.row[key];
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x) < String(y)
            ? -1
            : String(x) > String(y)
              ? 1
              : 0;
      return c * sign || a.i - b.i;
    })
    .map((e) => e.row);
}
