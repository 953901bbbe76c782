import type { SeriesPoint } from '@clicks/query';

const REASONS = ['blocked_ip', 'bot', 'too_fast', 'ip_rate', 'repeat_user'] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function field(v: string | number | boolean): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The chart's buckets as CSV (one row per bucket, the open one flagged partial), CRLF line ends. */
export function seriesCsv(series: readonly SeriesPoint[]): string {
  const header = ['bucket_start', 'clicks', 'late', 'invalid', ...REASONS.map((r) => `invalid_${r}`), 'partial'];
  const rows = series.map((p) => [
    p.start,
    p.clicks,
    p.late ?? '',
    p.invalid,
    ...REASONS.map((r) => p.invalidByReason[r]),
    p.partial,
  ]);
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

/** A file name that says what the CSV holds, e.g. `clicks-ad-ad-1-2026-12-01T10-00Z.csv`. */
export function csvFileName(scope: string, id: string, from: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `clicks-${scope}-${safe(id)}-${from.slice(0, 16).replace(/:/g, '-')}Z.csv`;
}
