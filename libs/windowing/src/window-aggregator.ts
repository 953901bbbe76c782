import { closedBefore, closeTime, windowStart } from './minute-window';

export interface CountedClick {
  adId: string;
  country: string;
  ts: number;
}

/** One cumulative count: clicks of `adId` from `country` in the window starting at `windowStart`. */
export interface WindowRow {
  windowStart: number;
  adId: string;
  country: string;
  clicks: number;
}

export type ApplyOutcome = 'counted' | 'late';

/** Serializable state; a pure function of the events applied (in order) and the stream-time ticks seen. */
export interface AggregatorSnapshot {
  observedStreamTime: number;
  windows: [start: number, counts: [key: string, clicks: number][]][];
}

const SEP = '\u0000';

/**
 * Counts clicks per (minute, ad, country) in event time, as Kafka Streams' KStreamWindowAggregate does: the
 * aggregator tracks `observedStreamTime` (the largest event time seen) and a window closes once
 * `observedStreamTime` reaches its `closeTime` (end + allowed lateness). An event for a closed window is late and
 * not counted. Changed windows are reported as cumulative rows, so writing them twice is harmless.
 */
export class WindowAggregator {
  private readonly windows = new Map<number, Map<string, number>>();
  private readonly dirty = new Map<number, Set<string>>();
  private streamTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly allowedLatenessMs: number) {}

  get observedStreamTime(): number {
    return this.streamTime;
  }

  get openWindowCount(): number {
    return this.windows.size;
  }

  apply(click: CountedClick): ApplyOutcome {
    this.advanceTo(click.ts);
    const start = windowStart(click.ts);
    if (closeTime(start, this.allowedLatenessMs) <= this.streamTime) return 'late';
    const key = click.adId + SEP + click.country;
    let counts = this.windows.get(start);
    if (!counts) this.windows.set(start, (counts = new Map<string, number>()));
    counts.set(key, (counts.get(key) ?? 0) + 1);
    let changed = this.dirty.get(start);
    if (!changed) this.dirty.set(start, (changed = new Set<string>()));
    changed.add(key);
    return 'counted';
  }

  /** Moves stream time forward without an event (an in-band idle tick); never moves it back. */
  advanceTo(streamTime: number): void {
    if (streamTime > this.streamTime) this.streamTime = streamTime;
  }

  /** Cumulative rows of every (window, ad, country) changed since the last `markFlushed`. */
  changedRows(): WindowRow[] {
    const rows: WindowRow[] = [];
    for (const [start, keys] of this.dirty) {
      const counts = this.windows.get(start);
      for (const key of keys) {
        const sep = key.indexOf(SEP);
        const clicks = counts?.get(key) ?? 0;
        rows.push({ windowStart: start, adId: key.slice(0, sep), country: key.slice(sep + 1), clicks });
      }
    }
    return rows;
  }

  /** The changed rows are durable: forget them, and drop closed windows (their final values were in them). */
  markFlushed(): number[] {
    this.dirty.clear();
    const horizon = closedBefore(this.streamTime, this.allowedLatenessMs);
    const evicted: number[] = [];
    for (const start of this.windows.keys()) {
      if (start < horizon) {
        this.windows.delete(start);
        evicted.push(start);
      }
    }
    return evicted;
  }

  /** Marks every open window changed, so that a new owner re-writes all that it restored. */
  markAllChanged(): void {
    for (const [start, counts] of this.windows) this.dirty.set(start, new Set(counts.keys()));
  }

  snapshot(): AggregatorSnapshot {
    return {
      observedStreamTime: this.streamTime,
      windows: [...this.windows].map(([start, counts]) => [start, [...counts]]),
    };
  }

  static restore(snapshot: AggregatorSnapshot, allowedLatenessMs: number): WindowAggregator {
    const a = new WindowAggregator(allowedLatenessMs);
    a.streamTime = snapshot.observedStreamTime ?? Number.NEGATIVE_INFINITY;
    for (const [start, counts] of snapshot.windows) a.windows.set(start, new Map(counts));
    return a;
  }
}
