import type { SeriesPoint } from '@clicks/query';

/**
 * Columns for the chart (uPlot's layout: x in epoch seconds, then one array per series, null where a series has no
 * point). Closed buckets are drawn solid; the open bucket, still filling, is its own series from the last closed
 * bucket to it, drawn dotted.
 */
export interface ChartColumns {
  x: number[];
  clicks: (number | null)[];
  open: (number | null)[];
  invalid: number[];
  late: (number | null)[];
}

export function chartColumns(series: readonly SeriesPoint[]): ChartColumns {
  const openAt = series.findIndex((p) => p.partial);
  return {
    x: series.map((p) => Date.parse(p.start) / 1000),
    clicks: series.map((p) => (p.partial ? null : p.clicks)),
    open: series.map((p, i) => (openAt >= 0 && (i === openAt || i === openAt - 1) ? p.clicks : null)),
    invalid: series.map((p) => p.invalid),
    late: series.map((p) => (p.late === undefined ? null : p.late)),
  };
}

/** A one-sentence summary of a chart for screen readers. */
export function chartSummary(label: string, total: number, invalid: number, late: number | undefined): string {
  const lateText = late === undefined ? '' : `, ${late} of them late`;
  return `${label}: ${total} valid clicks${lateText}; ${invalid} invalid clicks not counted.`;
}
