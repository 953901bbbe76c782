/** A flat `[name, value, name, value, ...]` Redis reply (XINFO) as a record. */
export function toRecord(flat: unknown[]): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) r[String(flat[i])] = flat[i + 1];
  return r;
}
