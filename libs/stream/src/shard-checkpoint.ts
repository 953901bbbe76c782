import { streamKeys } from './stream-keys';

/** One open window's cells (cell key -> cumulative clicks), as the checkpoint stores them. */
export type WindowCells = [start: number, cells: [key: string, clicks: number][]];

/** A shard actor's state as of its last checkpoint. */
export interface ShardCheckpoint {
  lastId: string;
  epoch: number;
  /** Incremented by every checkpoint: the next one must name it (compare-and-set). 0 before the first one. */
  seq: number;
  observedStreamTime: number;
  /** Every open window with all of its cells. */
  windows: WindowCells[];
  /** The ip blocklist in force (JSON `{version, cidrs}`); absent until the shard has seen one. */
  blocklist?: string;
}

/**
 * What changed since the previous checkpoint: the cells changed in windows still open, the windows that closed
 * (their hashes are removed), and the windows open afterwards. Small at any scale: a flush period's changes, not
 * every open window.
 */
export interface StateDelta {
  observedStreamTime: number;
  openWindows: readonly number[];
  changed: readonly WindowCells[];
  closed: readonly number[];
}

/** What one checkpoint saves besides the state delta: fenced by epoch and the previous checkpoint's seq. */
export interface CheckpointCommit {
  epoch: number;
  /** The seq of the checkpoint this one follows (compare-and-set). */
  seq: number;
  lastId: string;
  /** Late records and dead letters of the entries being acknowledged. */
  late: readonly string[];
  deadLetters: readonly string[];
  /** The entry ids to XACK. */
  ids: readonly string[];
  /** Late clicks folded in by this checkpoint: the new cumulative values per minute and cell (see lateCounts). */
  lateCells?: readonly WindowCells[];
  /** How long a minute's late counts are kept (ms): at least as long as clicks of that age are accepted. */
  lateTtlMs?: number;
  /** The blocklist in force, when it changed since the previous checkpoint (JSON `{version, cidrs}`). */
  blocklist?: string;
}

/** The CHECKPOINT script's keys and arguments (see lua-scripts.ts), led by the number of keys. */
export function checkpointCall(
  shard: number,
  group: string,
  delta: StateDelta,
  commit: CheckpointCommit,
): (string | number)[] {
  const { epoch, seq, lastId, late, deadLetters, ids } = commit;
  const lateCells = commit.lateCells ?? [];
  const keys = [
    streamKeys.stream(shard),
    streamKeys.checkpoint(shard),
    streamKeys.lease(shard),
    streamKeys.late(shard),
    streamKeys.deadLetter(shard),
    ...delta.changed.map(([start]) => streamKeys.window(shard, start)),
    ...delta.closed.map((start) => streamKeys.window(shard, start)),
    ...lateCells.map(([minute]) => streamKeys.lateWindow(shard, minute)),
  ];
  const args: (string | number)[] = [
    group,
    epoch,
    lastId,
    String(delta.observedStreamTime),
    delta.openWindows.join(','),
    delta.changed.length,
    delta.closed.length,
    late.length,
    deadLetters.length,
    seq,
    lateCells.length,
    commit.lateTtlMs ?? 0,
    commit.blocklist ?? '',
  ];
  for (const [, cells] of [...delta.changed, ...lateCells]) {
    args.push(cells.length);
    for (const [key, clicks] of cells) args.push(key, clicks);
  }
  return [keys.length, ...keys, ...args, ...late, ...deadLetters, ...ids];
}

/** Parses `streamTime` as the checkpoint stores it: a number, or -Infinity before any event. */
export function parseStreamTime(raw: string | undefined): number {
  if (raw === undefined || raw === '-Infinity') return Number.NEGATIVE_INFINITY;
  const n = Number(raw);
  return Number.isNaN(n) ? Number.NEGATIVE_INFINITY : n;
}

/** The open window starts of a checkpoint hash's `windows` field. */
export function parseWindowList(raw: string | undefined): number[] {
  return raw ? raw.split(',').map(Number) : [];
}

/** How a late cell is named in `lateCounts`' answer: its minute and its cell key. */
export function lateCellKey(minute: number, cellKey: string): string {
  return `${minute}/${cellKey}`;
}
