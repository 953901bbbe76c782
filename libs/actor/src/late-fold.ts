import { LATE_SHARD_SUFFIX, MinuteCountRow } from '@clicks/store';
import { lateCellKey, WindowCells } from '@clicks/stream';
import { countKey } from '@clicks/windowing';
import { CheckpointStore } from './shard-actor.ports';
import { LateIncrement } from './shard-processor';

/** A late cell's key: the window aggregator's name for the same count. */
const cellKey = (inc: LateIncrement) => countKey(inc.adId, inc.country, inc.reason);

/** The cells whose folded-in counts the increments add to, per minute (what to read before the write). */
export function lateCellsToRead(increments: readonly LateIncrement[]): [minute: number, keys: string[]][] {
  const byMinute = new Map<number, string[]>();
  for (const inc of increments) {
    const keys = byMinute.get(inc.minute) ?? [];
    keys.push(cellKey(inc));
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
    const key = cellKey(inc);
    const clicks = (base.get(lateCellKey(inc.minute, key)) ?? 0) + inc.clicks;
    const row: MinuteCountRow = {
      ts: inc.minute,
      adId: inc.adId,
      country: inc.country,
      shard: `${shard}${LATE_SHARD_SUFFIX}`,
      clicks,
      late: true,
    };
    if (inc.reason !== undefined) row.reason = inc.reason;
    rows.push(row);
    const cells = byMinute.get(inc.minute) ?? [];
    cells.push([key, clicks]);
    byMinute.set(inc.minute, cells);
  }
  return { rows, cells: [...byMinute] };
}

/** A row's identity (its table's DEDUP keys: ad_clicks_1m, or ad_invalid_clicks_1m with its reason). */
export const rowKey = (r: MinuteCountRow) =>
  `${r.ts}\u0000${r.adId}\u0000${r.country}\u0000${r.shard}\u0000${r.reason ?? ''}`;

/**
 * The actor's late fold-in: each flush's late rows (read the saved counts, add this flush's increments), and the
 * folded rows it must write once more when its re-write duty fires, like the windows (written while the duty was
 * armed, a paused old owner's stale write of them may still land after ours).
 */
export class LateFolder {
  private kept = new Map<string, MinuteCountRow>();
  private resend: MinuteCountRow[] = [];

  constructor(
    private readonly store: CheckpointStore,
    private readonly shard: string,
  ) {}

  /** The late rows of this flush (and any owed re-write of older ones), and the cells its checkpoint saves. */
  async fold(increments: readonly LateIncrement[]): Promise<{ rows: MinuteCountRow[]; cells: WindowCells[] }> {
    const late =
      increments.length === 0
        ? { rows: [], cells: [] }
        : foldLate(increments, await this.store.lateCounts(lateCellsToRead(increments)), this.shard);
    // A re-sent row is dropped when this flush folds a newer value of it in.
    const folded = new Set(late.rows.map(rowKey));
    return { rows: [...this.resend.filter((r) => !folded.has(rowKey(r))), ...late.rows], cells: late.cells };
  }

  /** The rows of `fold` were written; while a stale write may land (`armed`), keep them for the re-write. */
  written(rows: readonly MinuteCountRow[], armed: boolean): void {
    this.resend = [];
    if (armed) for (const r of rows) this.kept.set(rowKey(r), r);
  }

  /** The re-write duty fired: the next fold re-sends the kept rows. */
  rewriteDue(): void {
    this.resend = [...this.kept.values()];
    this.kept.clear();
  }
}
