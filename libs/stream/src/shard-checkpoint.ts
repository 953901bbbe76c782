import { streamKeys } from './stream-keys';

/** One open window's cells (cell key -> cumulative clicks), as the checkpoint stores them. */
export type WindowCells = [start: number, cells: [key: string, clicks: number][]];

/** A shard actor's state as of its last checkpoint. */
export interface ShardCheckpoint {
  lastId: string;
  epoch: number;
  observedStreamTime: number;
  /** Every open window with all of its cells. */
  windows: WindowCells[];
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

/** The CHECKPOINT script's keys and arguments (see lua-scripts.ts), after the group and epoch. */
export function checkpointCall(
  shard: number,
  group: string,
  epoch: number,
  delta: StateDelta,
  lastId: string,
  late: readonly string[],
  ids: readonly string[],
): (string | number)[] {
  const keys = [
    streamKeys.stream(shard),
    streamKeys.checkpoint(shard),
    streamKeys.lease(shard),
    streamKeys.late(shard),
    ...delta.changed.map(([start]) => streamKeys.window(shard, start)),
    ...delta.closed.map((start) => streamKeys.window(shard, start)),
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
  ];
  for (const [, cells] of delta.changed) {
    args.push(cells.length);
    for (const [key, clicks] of cells) args.push(key, clicks);
  }
  return [keys.length, ...keys, ...args, ...late, ...ids];
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
