import { parse } from 'csv-parse/sync';

/** The header a CSV click log starts with; its columns map onto the click fields of the JSON schema. */
export const CSV_CLICK_HEADER = 'ad_id,click_timestamp,user_id,ip,country';

export type ClickLogFormat = 'ndjson' | 'csv';

export type ClickLineResult = { ok: true; input: Record<string, unknown> } | { ok: false; reason: string };

/** A log file is CSV when its first line is the CSV header, NDJSON otherwise. */
export function detectClickLogFormat(firstLine: string): ClickLogFormat {
  return firstLine.trim() === CSV_CLICK_HEADER ? 'csv' : 'ndjson';
}

/** True for the CSV header line itself, which carries no click. */
export function isCsvHeader(line: string): boolean {
  return line.trim() === CSV_CLICK_HEADER;
}

/** Turns one log line into the same input object the HTTP paths receive; parseClick validates it afterwards. */
export function clickLineToInput(line: string, format: ClickLogFormat): ClickLineResult {
  return format === 'csv' ? csvLine(line) : ndjsonLine(line);
}

function ndjsonLine(line: string): ClickLineResult {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, reason: 'not a JSON object' };
    }
    return { ok: true, input: value as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
}

function csvLine(line: string): ClickLineResult {
  let rows: string[][];
  try {
    const parsed: unknown = parse(line, { relax_column_count: false, trim: true });
    rows = parsed as string[][];
  } catch (e) {
    return { ok: false, reason: `not valid CSV: ${e instanceof Error ? e.message : String(e)}` };
  }
  const cells = rows[0];
  if (rows.length !== 1 || cells?.length !== 5)
    return { ok: false, reason: `expected 5 columns (${CSV_CLICK_HEADER})` };
  const [adId, ts, userId, ip, country] = cells;
  const input: Record<string, unknown> = { adId };
  // Epoch milliseconds or ISO-8601, as in the JSON schema.
  if (ts) input.timestamp = /^\d+$/.test(ts) ? Number(ts) : ts;
  if (userId) input.userId = userId;
  if (ip) input.ip = ip;
  if (country) input.country = country;
  return { ok: true, input };
}
