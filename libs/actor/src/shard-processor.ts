import { decodeClick, encodeLateRecord, MalformedEntryError, UNKNOWN_COUNTRY } from '@clicks/events';
import { ShardCheckpoint, ShardEntry } from '@clicks/stream';
import { WindowAggregator, windowStart } from '@clicks/windowing';

/** Late clicks of one (minute, ad, country) cell since the last checkpoint, to fold into that minute's count. */
export interface LateIncrement {
  minute: number;
  adId: string;
  country: string;
  clicks: number;
}

/**
 * What became of one entry. `clamped`: counted, but stamped further ahead of its append time than the skew allows,
 * so it moved stream time only that far. Every entry that is not counted is counted under another outcome.
 */
export type EntryOutcome = 'applied' | 'clamped' | 'late' | 'malformed' | 'trimmed' | 'tick';

/** The append time of a stream entry: the milliseconds of its id, given by Redis's clock when it was appended. */
export function appendTimeOf(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf('-')));
}

/** What the next checkpoint records besides the state: late records, dead letters, late clicks to fold in. */
export interface ShardRecords {
  late: readonly string[];
  deadLetters: readonly string[];
  lateIncrements: readonly LateIncrement[];
}

/** Why an entry went to the dead-letter stream instead of the counts. */
export type DeadLetterReason = 'malformed' | 'trimmed';

/** A dead letter as the checkpoint stores it: the entry, the reason, and the payload when there was one. */
export function encodeDeadLetter(entryId: string, reason: DeadLetterReason, detail: string, payload?: string): string {
  return JSON.stringify({ entryId, reason, detail, payload });
}

/**
 * The pure part of a shard actor, like Kafka Streams' KStreamWindowAggregate inside a StreamTask: turns stream
 * entries into window counts, late records and dead letters. No I/O and no clock, so a replay of the same entries
 * reaches the same state, and every outcome is testable without Redis.
 */
export class ShardProcessor {
  private aggregator: WindowAggregator;
  private late: string[] = [];
  private dead: string[] = [];
  private lateCells = new Map<string, LateIncrement>();

  constructor(
    private readonly allowedLatenessMs: number,
    private readonly streamTimeMaxSkewMs: number,
  ) {
    this.aggregator = new WindowAggregator(allowedLatenessMs, streamTimeMaxSkewMs);
  }

  get windows(): WindowAggregator {
    return this.aggregator;
  }

  /** Starts over from a checkpoint (or empty), forgetting records not yet checkpointed. */
  restore(checkpoint: ShardCheckpoint | null): void {
    this.aggregator = checkpoint
      ? WindowAggregator.restore(checkpoint, this.allowedLatenessMs, this.streamTimeMaxSkewMs)
      : new WindowAggregator(this.allowedLatenessMs, this.streamTimeMaxSkewMs);
    this.late = [];
    this.dead = [];
    this.lateCells = new Map();
  }

  /** Applies one entry; `onCounted` sees the ad of every counted click (hot-ad detection). */
  process(entry: ShardEntry, onCounted?: (adId: string) => void): EntryOutcome {
    if ('tick' in entry) {
      // Redis's clock when the tick was appended, not the worker's that asked for it: no worker clock moves windows.
      this.aggregator.advanceTo(appendTimeOf(entry.id));
      return 'tick';
    }
    if ('trimmed' in entry) {
      this.dead.push(encodeDeadLetter(entry.id, 'trimmed', 'trimmed from the stream before it was acknowledged'));
      return 'trimmed';
    }
    if (!('click' in entry)) {
      this.dead.push(encodeDeadLetter(entry.id, 'malformed', 'neither a click nor a tick'));
      return 'malformed';
    }
    let click;
    try {
      click = decodeClick(entry.id, entry.click);
    } catch (err) {
      if (!(err instanceof MalformedEntryError)) throw err;
      this.dead.push(encodeDeadLetter(entry.id, 'malformed', err.message, entry.click));
      return 'malformed';
    }
    const counted = { adId: click.adId, country: click.country ?? UNKNOWN_COUNTRY, ts: click.ts };
    const outcome = this.aggregator.apply(counted, appendTimeOf(entry.id));
    if (outcome === 'late') {
      this.late.push(encodeLateRecord(entry.id, entry.click, this.aggregator.observedStreamTime));
      this.addLate(windowStart(counted.ts), counted.adId, counted.country);
      return 'late';
    }
    onCounted?.(click.adId);
    return outcome === 'clamped' ? 'clamped' : 'applied';
  }

  private addLate(minute: number, adId: string, country: string): void {
    const key = `${minute}\u0000${adId}\u0000${country}`;
    const cell = this.lateCells.get(key);
    if (cell) cell.clicks++;
    else this.lateCells.set(key, { minute, adId, country, clicks: 1 });
  }

  /** Late records, dead letters and late increments since the last call: they go into the next checkpoint. */
  takeRecords(): ShardRecords {
    const records = this.peekRecords();
    this.late = [];
    this.dead = [];
    this.lateCells = new Map();
    return records;
  }

  /** The records of the pending checkpoint, without taking them (a failed checkpoint keeps them). */
  peekRecords(): ShardRecords {
    return { late: this.late, deadLetters: this.dead, lateIncrements: [...this.lateCells.values()] };
  }
}
