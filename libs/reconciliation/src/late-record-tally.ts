import { decodeLateRecord, LATE_FOLDED_REASON, MalformedEntryError } from '@clicks/events';
import { compareStreamIds } from '@clicks/stream';
import { windowStart } from '@clicks/windowing';
import { addTally, MinuteShardTallies } from './minute-reconciliation';

interface Counted {
  shard: string;
  recordId: string;
  ts: number;
}

/**
 * Late records of a range (and of one ad, if given), each click once: keyed by event time and event id as the archive
 * keys its rows, so a click re-sent after the de-dup horizon, late both times, is one late click as it is one
 * archived row. If the copies were on different shards (a hot-ad salt change in between), the click counts on the
 * shard of the last recorded copy, where the archive's last upsert put its row. Records that are not late records
 * are counted per shard as unreadable, never thrown.
 */
export class LateRecordTally {
  private readonly clicks = new Map<string, Counted>();
  readonly unreadable = new Map<string, number>();

  constructor(
    private readonly range: { from: number; to: number },
    private readonly adId?: string,
  ) {}

  add(shard: string, recordId: string, text: string | undefined): void {
    let record;
    try {
      record = decodeLateRecord(recordId, text);
    } catch (e) {
      if (!(e instanceof MalformedEntryError)) throw e;
      this.unreadable.set(shard, (this.unreadable.get(shard) ?? 0) + 1);
      return;
    }
    // A folded-in late click is in its minute's late row of the aggregates: reconciliation counts that row instead.
    if (record.reason === LATE_FOLDED_REASON) return;
    const click = record.click;
    if (click.ts < this.range.from || click.ts >= this.range.to) return;
    if (this.adId !== undefined && click.adId !== this.adId) return;
    const key = `${click.ts}|${click.eventId}`;
    const seen = this.clicks.get(key);
    if (!seen || compareStreamIds(recordId, seen.recordId) > 0) this.clicks.set(key, { shard, recordId, ts: click.ts });
  }

  /** Adds the late clicks to `tallies`. */
  addTo(tallies: MinuteShardTallies): void {
    for (const { shard, ts } of this.clicks.values()) addTally(tallies, windowStart(ts), shard, 'late', 1);
  }
}
