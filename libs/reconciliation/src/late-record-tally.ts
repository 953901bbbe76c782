import { decodeLateRecord, MalformedEntryError } from '@clicks/events';
import { windowStart } from '@clicks/windowing';
import { addTally, MinuteShardTallies } from './minute-reconciliation';

/**
 * Adds late records to the tallies of a range (and of one ad, if given), each click once: keyed by event time and
 * event id as the archive keys its rows, so a click re-sent after the de-dup horizon, late both times, is one late
 * click as it is one archived row. Records that are not late records are counted as unreadable, not thrown.
 */
export class LateRecordTally {
  private readonly seen = new Set<string>();
  unreadable = 0;

  constructor(
    private readonly tallies: MinuteShardTallies,
    private readonly range: { from: number; to: number },
    private readonly adId?: string,
  ) {}

  add(shard: string, recordId: string, text: string | undefined): void {
    let click;
    try {
      click = decodeLateRecord(recordId, text).click;
    } catch (e) {
      if (!(e instanceof MalformedEntryError)) throw e;
      this.unreadable++;
      return;
    }
    if (click.ts < this.range.from || click.ts >= this.range.to) return;
    if (this.adId !== undefined && click.adId !== this.adId) return;
    const key = `${click.ts}|${click.eventId}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    addTally(this.tallies, windowStart(click.ts), shard, 'late', 1);
  }
}
