import { AggregateRow, MinuteCountRow } from '@clicks/store';
import { WindowRow } from '@clicks/windowing';
import { Verdict } from './shard-processor';

/**
 * What one flush of shard `shard` writes: the changed windows' cumulative counts (valid, or invalid per reason), the
 * folded-in late rows, and the verdicts on the invalid clicks applied since the last checkpoint.
 */
export function flushRows(
  shard: string,
  changed: readonly WindowRow[],
  late: readonly MinuteCountRow[],
  verdicts: readonly Verdict[],
): AggregateRow[] {
  const rows: AggregateRow[] = [];
  for (const r of changed) {
    const row: MinuteCountRow = { ts: r.windowStart, adId: r.adId, country: r.country, shard, clicks: r.clicks };
    if (r.reason !== undefined) row.reason = r.reason;
    rows.push(row);
  }
  for (const r of late) rows.push(r); // not push(...late): a backlog's late rows can outnumber a call's arguments
  for (const v of verdicts) rows.push({ ...v, shard });
  return rows;
}
