import { LATE_SHARD_SUFFIX, MinuteCountRow } from '@clicks/store';
import { lateCellKey, WindowCells } from '@clicks/stream';
import { LateIncrement } from './shard-processor';

/** Joins an ad and a country into a window cell key, as the window aggregator names its cells. */
const cellKey = (adId: string, country: string) => `${adId}\u0000${country}`;

/** The cells whose folded-in counts the increments add to, per minute (what to read before the write). */
export function lateCellsToRead(increments: readonly LateIncrement[]): [minute: number, keys: string[]][] {
  const byMinute = new Map<number, string[]>();
  for (const inc of increments) {
    const keys = byMinute.get(inc.minute) ?? [];
    keys.push(cellKey(inc.adId, inc.country));
    byMinute.set(inc.minute, keys);
  }
  return [...byMinute];
}

/**
 * Late clicks folded into their own minutes: each cell's new cumulative count is what earlier checkpoints folded
 * in (`base`, keyed by lateCellKey) plus this checkpoint's increments. Returns the rows to write (shard `s3/late`,
 * late) and the cells the checkpoint saves. A pure function of the base and the increments, so a replay after a
 * crash writes the same values again.
 */
export function foldLate(
  increments: readonly LateIncrement[],
  base: ReadonlyMap<string, number>,
  shard: string,
): { rows: MinuteCountRow[]; cells: WindowCells[] } {
  const rows: MinuteCountRow[] = [];
  const byMinute = new Map<number, [string, number][]>();
  for (const inc of increments) {
    const key = cellKey(inc.adId, inc.country);
    const clicks = (base.get(lateCellKey(inc.minute, key)) ?? 0) + inc.clicks;
    rows.push({
      ts: inc.minute,
      adId: inc.adId,
      country: inc.country,
      shard: `${shard}${LATE_SHARD_SUFFIX}`,
      clicks,
      late: true,
    });
    const cells = byMinute.get(inc.minute) ?? [];
    cells.push([key, clicks]);
    byMinute.set(inc.minute, cells);
  }
  return { rows, cells: [...byMinute] };
}

/** A row's identity in ad_clicks_1m (its DEDUP keys). */
export const rowKey = (r: MinuteCountRow) => `${r.ts}\u0000${r.adId}\u0000${r.country}\u0000${r.shard}`;
