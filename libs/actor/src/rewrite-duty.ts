import { WindowRow } from '@clicks/windowing';

/**
 * After a takeover, or a write of ours that failed, a write still in flight (the paused previous owner's, or our
 * abandoned request) may land late and lower a window's cumulative count. The actor then writes everything once
 * more when that can no longer happen. This tracks which windows such a write could hold and, for those that close
 * (and leave the actor's memory) before then, their final rows, so the re-write covers them too. No I/O.
 */
export class RewriteDuty {
  private dueAt = 0;
  private readonly windows = new Set<number>();
  private closedRows: WindowRow[] = [];
  private carryClosed = false;

  /** Arms the duty until `until` (or extends it) for these windows, and any added later with `watch`. */
  arm(until: number, windows: Iterable<number> = []): void {
    if (this.dueAt === 0 && !this.carryClosed) {
      this.windows.clear();
      this.closedRows = [];
    }
    this.dueAt = Math.max(this.dueAt, until);
    this.watch(windows);
  }

  watch(windows: Iterable<number>): void {
    for (const start of windows) this.windows.add(start);
  }

  /** Windows about to close and leave memory: keeps the final rows of watched ones while armed. */
  closing(starts: readonly number[], rowsOf: (starts: readonly number[]) => WindowRow[]): void {
    if (this.dueAt === 0) return;
    const watched = starts.filter((start) => this.windows.has(start));
    // Appended one by one: a window's rows can outnumber what a spread call takes.
    if (watched.length > 0) for (const row of rowsOf(watched)) this.closedRows.push(row);
  }

  /** Whether a late write may still land (the duty is owed and not yet due). */
  get armed(): boolean {
    return this.dueAt !== 0;
  }

  /** True once due: the caller then re-writes every open window, and the next write carries `extraRows`. */
  fireIfDue(now: number): boolean {
    if (this.dueAt === 0 || now < this.dueAt) return false;
    this.dueAt = 0;
    this.windows.clear();
    this.carryClosed = this.closedRows.length > 0;
    return true;
  }

  /** The kept rows of closed windows, once fired, until a write of them succeeds. */
  get extraRows(): readonly WindowRow[] {
    return this.carryClosed ? this.closedRows : [];
  }

  /** A write including `extraRows` succeeded. */
  written(): void {
    if (!this.carryClosed) return;
    this.carryClosed = false;
    if (this.dueAt === 0) this.closedRows = [];
  }
}
