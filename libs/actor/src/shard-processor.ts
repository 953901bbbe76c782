import { ClickEvent, decodeClick, encodeLateRecord, MalformedEntryError, UNKNOWN_COUNTRY } from '@clicks/events';
import { ClickJudge, InvalidReason, IpBlocklist } from '@clicks/fraud';
import { ShardCheckpoint, ShardEntry } from '@clicks/stream';
import { InvalidClickRow } from '@clicks/store';
import { countKey, WindowAggregator, windowStart } from '@clicks/windowing';

/** Late clicks of one (minute, ad, country) cell since the last checkpoint, to fold into that minute's count. */
export interface LateIncrement {
  minute: number;
  adId: string;
  country: string;
  clicks: number;
  /** Late invalid clicks of this reason (the stateless rules still judge a late click); none: valid ones. */
  reason?: InvalidReason;
}

/**
 * What became of one entry. `clamped`: counted, but stamped further ahead of its append time than the skew allows,
 * so it moved stream time only that far. `invalid`: counted apart, as not billable (`lastVerdict` says why). Every
 * entry that is not counted is counted under another outcome.
 */
export type EntryOutcome = 'applied' | 'clamped' | 'invalid' | 'late' | 'malformed' | 'trimmed' | 'tick' | 'control';

/** The append time of a stream entry: the milliseconds of its id, given by Redis's clock when it was appended. */
export function appendTimeOf(entryId: string): number {
  return Number(entryId.slice(0, entryId.indexOf('-')));
}

/** An invalid click and why (a clicks_raw_invalid row without its shard): stored with the flush that counts it. */
export type Verdict = Omit<InvalidClickRow, 'shard' | 'reason'> & { reason: InvalidReason };

/** What the next checkpoint records besides the state: late records, dead letters, late clicks, verdicts. */
export interface ShardRecords {
  late: readonly string[];
  deadLetters: readonly string[];
  lateIncrements: readonly LateIncrement[];
  verdicts: readonly Verdict[];
  /** The blocklist in force, when an entry changed it since the last checkpoint. */
  blocklist?: string;
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
  private verdicts: Verdict[] = [];
  /** The verdict on the last click processed: null when valid (or not a click). */
  lastVerdict: InvalidReason | null = null;
  /** The blocklist in force (its JSON as it came in-band) and whether it changed since the last checkpoint. */
  private blocklist: { version: number; json: string } = { version: 0, json: '' };
  private blocklistChanged = false;

  constructor(
    private readonly allowedLatenessMs: number,
    private readonly streamTimeMaxSkewMs: number,
    private readonly judge: ClickJudge,
  ) {
    this.aggregator = new WindowAggregator(allowedLatenessMs, streamTimeMaxSkewMs);
  }

  get windows(): WindowAggregator {
    return this.aggregator;
  }

  /** The version of the blocklist in force (0: none yet). */
  get blocklistVersion(): number {
    return this.blocklist.version;
  }

  /** Starts over from a checkpoint (or empty), forgetting records not yet checkpointed. */
  restore(checkpoint: ShardCheckpoint | null): void {
    this.blocklist = { version: 0, json: '' };
    this.judge.useBlocklist(new IpBlocklist());
    if (checkpoint?.blocklist) this.useBlocklist(checkpoint.blocklist);
    this.blocklistChanged = false;
    this.aggregator = checkpoint
      ? WindowAggregator.restore(checkpoint, this.allowedLatenessMs, this.streamTimeMaxSkewMs)
      : new WindowAggregator(this.allowedLatenessMs, this.streamTimeMaxSkewMs);
    this.late = [];
    this.dead = [];
    this.lateCells = new Map();
    this.verdicts = [];
  }

  /** Applies one entry; `onCounted` sees the ad of every counted click (hot-ad detection). */
  process(entry: ShardEntry, onCounted?: (adId: string) => void): EntryOutcome {
    this.lastVerdict = null;
    if ('tick' in entry) {
      // Redis's clock when the tick was appended, not the worker's that asked for it: no worker clock moves windows.
      this.aggregator.advanceTo(appendTimeOf(entry.id));
      return 'tick';
    }
    if ('blocklist' in entry) {
      try {
        this.useBlocklist(entry.blocklist);
      } catch (err) {
        this.dead.push(encodeDeadLetter(entry.id, 'malformed', `blocklist: ${String(err)}`, entry.blocklist));
        return 'malformed';
      }
      return 'control';
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
    const outcome = this.aggregator.admit(counted.ts, appendTimeOf(entry.id));
    if (outcome === 'late') {
      this.lastVerdict = this.judge.screen(click);
      this.late.push(encodeLateRecord(entry.id, entry.click, this.aggregator.observedStreamTime));
      this.addLate(windowStart(counted.ts), counted.adId, counted.country, this.lastVerdict);
      if (this.lastVerdict !== null) this.recordVerdict(click, counted.country, this.lastVerdict, true);
      return 'late';
    }
    this.lastVerdict = this.judge.judge(click, this.aggregator);
    this.aggregator.count(counted, this.lastVerdict);
    onCounted?.(click.adId);
    if (this.lastVerdict === null) return outcome === 'clamped' ? 'clamped' : 'applied';
    this.recordVerdict(click, counted.country, this.lastVerdict, false);
    return 'invalid';
  }

  /**
   * Puts an in-band blocklist in force from here on. An older version than the one in force (a stale owner's late
   * append) is ignored, so the list only moves forward.
   */
  private useBlocklist(json: string): void {
    const { version, cidrs } = JSON.parse(json) as { version?: unknown; cidrs?: unknown };
    if (typeof version !== 'number' || !Number.isSafeInteger(version)) throw new Error('no integer version');
    if (!Array.isArray(cidrs) || !cidrs.every((c): c is string => typeof c === 'string')) throw new Error('no cidrs');
    if (version <= this.blocklist.version) return;
    this.judge.useBlocklist(new IpBlocklist(cidrs));
    this.blocklist = { version, json };
    this.blocklistChanged = true;
  }

  private recordVerdict(click: ClickEvent, country: string, reason: InvalidReason, late: boolean): void {
    const v: Verdict = { ts: click.ts, eventId: click.eventId, adId: click.adId, reason, country };
    if (click.userId !== undefined) v.userId = click.userId;
    if (click.ip !== undefined) v.ip = click.ip;
    if (late) v.late = true;
    this.verdicts.push(v);
  }

  private addLate(minute: number, adId: string, country: string, reason: InvalidReason | null): void {
    const key = `${minute}\u0000${countKey(adId, country, reason)}`;
    const cell = this.lateCells.get(key);
    if (cell) cell.clicks++;
    else if (reason === null) this.lateCells.set(key, { minute, adId, country, clicks: 1 });
    else this.lateCells.set(key, { minute, adId, country, clicks: 1, reason });
  }

  /** Late records, dead letters and late increments since the last call: they go into the next checkpoint. */
  takeRecords(): ShardRecords {
    const records = this.peekRecords();
    this.late = [];
    this.dead = [];
    this.lateCells = new Map();
    this.verdicts = [];
    this.blocklistChanged = false;
    return records;
  }

  /** The records of the pending checkpoint, without taking them (a failed checkpoint keeps them). */
  peekRecords(): ShardRecords {
    return {
      late: this.late,
      deadLetters: this.dead,
      lateIncrements: [...this.lateCells.values()],
      verdicts: this.verdicts,
      ...(this.blocklistChanged ? { blocklist: this.blocklist.json } : {}),
    };
  }
}
