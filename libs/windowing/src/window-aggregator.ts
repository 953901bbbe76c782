import { closedBefore, closeTime, windowStart } from './minute-window';

export interface CountedClick {
  adId: string;
  country: string;
  ts: number;
}

/**
 * One cumulative count: clicks of `adId` from `country` in the window starting at `windowStart`; with `reason`, the
 * invalid clicks of that reason (counted apart from the valid ones, which have none).
 */
export interface WindowRow {
  windowStart: number;
  adId: string;
  country: string;
  clicks: number;
  reason?: string;
}

/** `counted`, and `clamped` when the event's own time was ahead of what it may move stream time to. */
export type ApplyOutcome = 'counted' | 'clamped' | 'late';

/**
 * What changed since the last flush, for a checkpoint that saves only that: changed cells of windows still open
 * (cumulative values), the windows that close with this flush, and the windows open after it.
 */
export interface AggregatorDelta {
  observedStreamTime: number;
  openWindows: number[];
  changed: [start: number, cells: [key: string, clicks: number][]][];
  closed: number[];
}

/** Serializable state; a pure function of the events applied (in order) and the stream-time ticks seen. */
export interface AggregatorSnapshot {
  observedStreamTime: number;
  windows: [start: number, counts: [key: string, clicks: number][]][];
}

const SEP = '\u0000';
/** Cells whose key starts with this hold rule state (see @clicks/fraud): checkpointed like counts, never rows. */
export const STATE_CELL_PREFIX = '\u0001';

/** A cell key as a row: `ad\0country` (valid clicks) or `ad\0country\0reason` (invalid ones). */
function rowOf(windowStart: number, key: string, clicks: number): WindowRow {
  const [adId, country, reason] = key.split(SEP);
  return reason === undefined ? { windowStart, adId, country, clicks } : { windowStart, adId, country, clicks, reason };
}

/** A count cell's key: `ad\0country` (valid clicks) or `ad\0country\0reason` (invalid ones); late folds use it too. */
export const countKey = (adId: string, country: string, reason?: string | null): string =>
  reason ? adId + SEP + country + SEP + reason : adId + SEP + country;

/** One count of a window (valid or invalid clicks of an ad and country, or a rule's state); `changed` while unflushed. */
interface Cell {
  readonly key: string;
  clicks: number;
  changed: boolean;
}

/**
 * Counts clicks per (minute, ad, country) in event time, as Kafka Streams' KStreamWindowAggregate does: the
 * aggregator tracks `observedStreamTime` and a window closes once `observedStreamTime` reaches its `closeTime`
 * (end + allowed lateness). An event for a closed window is late and not counted here. Stream time is the largest
 * event time seen, but an event moves it at most to its append time (the stream entry id, set by Redis's clock) plus
 * `maxSkewMs`: a client whose clock runs fast cannot close anyone's windows early; its click still counts in the
 * minute it names. Changed windows are reported as cumulative rows, so writing them twice is harmless.
 * Per event: one map lookup for the window, one for the cell; a cell joins the changed list once per flush.
 */
export class WindowAggregator {
  private readonly windows = new Map<number, Map<string, Cell>>();
  /** Cells changed since the last flush, with their window start (parallel arrays: no object per entry). */
  private changedStarts: number[] = [];
  private changedCells: Cell[] = [];
  private streamTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly allowedLatenessMs: number,
    private readonly maxSkewMs = Number.POSITIVE_INFINITY,
  ) {}

  get observedStreamTime(): number {
    return this.streamTime;
  }

  get openWindowCount(): number {
    return this.windows.size;
  }

  /** Starts of the windows held (open, or closing with the next flush). */
  get windowStarts(): number[] {
    return [...this.windows.keys()];
  }

  /** Applies one click appended at `appendTime` (omitted: trusted as its own time, e.g. in window-logic tests). */
  apply(click: CountedClick, appendTime = Number.POSITIVE_INFINITY): ApplyOutcome {
    const outcome = this.admit(click.ts, appendTime);
    if (outcome !== 'late') this.count(click);
    return outcome;
  }

  /**
   * Moves stream time for a click at `ts` appended at `appendTime` and says whether its window is still open
   * (`counted`, `clamped`) or closed (`late`); an admitted click is then counted with `count`.
   */
  admit(ts: number, appendTime = Number.POSITIVE_INFINITY): ApplyOutcome {
    const limit = appendTime + this.maxSkewMs;
    const clamped = ts > limit;
    this.advanceTo(clamped ? limit : ts);
    if (closeTime(windowStart(ts), this.allowedLatenessMs) <= this.streamTime) return 'late';
    return clamped ? 'clamped' : 'counted';
  }

  /** Counts an admitted click: as valid, or as invalid for `reason`. */
  count(click: CountedClick, reason?: string | null): void {
    const cell = this.cell(windowStart(click.ts), countKey(click.adId, click.country, reason));
    cell.clicks++;
  }

  /** A rule-state cell's value (undefined: absent, or its minute is not held). */
  cellValue(minute: number, key: string): number | undefined {
    return this.windows.get(minute)?.get(key)?.clicks;
  }

  /** Sets a rule-state cell (key starting with \u0001); it is checkpointed with its minute and goes with it. */
  setCell(minute: number, key: string, value: number): void {
    if (!key.startsWith(STATE_CELL_PREFIX)) throw new RangeError(`rule-state cell key must start with \\u0001: ${key}`);
    this.cell(minute, key).clicks = value;
  }

  /** The cell, created if absent, and marked changed (a value about to be set or incremented). */
  private cell(start: number, key: string): Cell {
    let cells = this.windows.get(start);
    if (!cells) this.windows.set(start, (cells = new Map<string, Cell>()));
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { key, clicks: 0, changed: false }));
    if (!cell.changed) this.markChanged(start, cell);
    return cell;
  }

  private markChanged(start: number, cell: Cell): void {
    cell.changed = true;
    this.changedStarts.push(start);
    this.changedCells.push(cell);
  }

  /** Moves stream time forward without an event (an in-band idle tick); never moves it back. */
  advanceTo(streamTime: number): void {
    if (streamTime > this.streamTime) this.streamTime = streamTime;
  }

  /** Cumulative rows of every (window, ad, country) changed since the last `markFlushed`. */
  changedRows(): WindowRow[] {
    const rows: WindowRow[] = [];
    for (let i = 0; i < this.changedCells.length; i++) {
      const { key, clicks } = this.changedCells[i];
      if (!key.startsWith(STATE_CELL_PREFIX)) rows.push(rowOf(this.changedStarts[i], key, clicks));
    }
    return rows;
  }

  /**
   * The checkpoint's share of the next `markFlushed`: cells changed since the last one in windows that stay open,
   * and which windows close (their final values went to QuestDB with the changed rows). Applied to the previous
   * checkpoint's windows it gives `snapshot()` as of after `markFlushed`.
   */
  delta(): AggregatorDelta {
    const horizon = closedBefore(this.streamTime, this.allowedLatenessMs);
    const changed = new Map<number, [string, number][]>();
    for (let i = 0; i < this.changedCells.length; i++) {
      const start = this.changedStarts[i];
      if (start < horizon) continue;
      let cells = changed.get(start);
      if (!cells) changed.set(start, (cells = []));
      cells.push([this.changedCells[i].key, this.changedCells[i].clicks]);
    }
    const openWindows: number[] = [];
    const closed: number[] = [];
    for (const start of this.windows.keys()) (start < horizon ? closed : openWindows).push(start);
    return { observedStreamTime: this.streamTime, openWindows, changed: [...changed], closed };
  }

  /** Every cell of the given windows as rows (e.g. the windows `delta()` says close, before `markFlushed`). */
  rowsOf(starts: readonly number[]): WindowRow[] {
    const rows: WindowRow[] = [];
    for (const start of starts) {
      for (const { key, clicks } of this.windows.get(start)?.values() ?? []) {
        if (!key.startsWith(STATE_CELL_PREFIX)) rows.push(rowOf(start, key, clicks));
      }
    }
    return rows;
  }

  /** The changed rows are durable: forget them, and drop closed windows (their final values were in them). */
  markFlushed(): number[] {
    for (const cell of this.changedCells) cell.changed = false;
    this.changedStarts = [];
    this.changedCells = [];
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
    for (const [start, cells] of this.windows) {
      for (const cell of cells.values()) if (!cell.changed) this.markChanged(start, cell);
    }
  }

  snapshot(): AggregatorSnapshot {
    return {
      observedStreamTime: this.streamTime,
      windows: [...this.windows].map(([start, cells]) => [
        start,
        [...cells.values()].map((c): [string, number] => [c.key, c.clicks]),
      ]),
    };
  }

  static restore(snapshot: AggregatorSnapshot, allowedLatenessMs: number, maxSkewMs?: number): WindowAggregator {
    const a = new WindowAggregator(allowedLatenessMs, maxSkewMs);
    a.streamTime = snapshot.observedStreamTime ?? Number.NEGATIVE_INFINITY;
    for (const [start, counts] of snapshot.windows) {
      a.windows.set(start, new Map(counts.map(([key, clicks]) => [key, { key, clicks, changed: false }])));
    }
    return a;
  }
}
