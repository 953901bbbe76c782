/** Thrown when too many clicks wait for Redis already: the caller answers 503 at once instead of queueing more. */
export class BackpressureError extends Error {
  constructor(readonly inFlight: number) {
    super(`${inFlight} clicks already waiting for Redis`);
    this.name = 'BackpressureError';
  }
}

export interface GroupCommitOptions {
  /** Flush as soon as this many items wait. */
  maxBatch: number;
  /** Otherwise flush this long after the first waiting item (0: on the next turn of the event loop). */
  delayMs: number;
  /** Refuse new items while this many are queued or being written. */
  maxInFlight: number;
}

/** One caller's items, answered together (a batch request waits on one promise, not one per click). */
interface Waiting<T, R> {
  items: readonly T[];
  resolve: (r: R[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: items from many concurrent requests are written together, one round trip per flush, and each
 * caller's promise settles only with its own items' results.
 */
export class GroupCommitter<T, R> {
  private queue: Waiting<T, R>[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private writing = 0;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  get inFlight(): number {
    return this.queued + this.writing;
  }

  submit(item: T): Promise<R> {
    return this.submitMany([item]).then((r) => r[0]);
  }

  /** All of `items` or none: refused as a whole (BackpressureError) when the in-flight limit is reached. */
  submitMany(items: readonly T[]): Promise<R[]> {
    if (this.inFlight >= this.options.maxInFlight) return Promise.reject(new BackpressureError(this.inFlight));
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<R[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      if (this.queued >= this.options.maxBatch) this.flush();
      else
        this.timer ??=
          this.options.delayMs > 0 ? setTimeout(this.flush, this.options.delayMs) : setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    const batch = this.queue;
    const size = this.queued;
    if (batch.length === 0) return;
    this.queue = [];
    this.queued = 0;
    this.writing += size;
    const items = batch.length === 1 ? batch[0].items : batch.flatMap((w) => w.items);
    this.write(items).then(
      (results) => {
        this.writing -= size;
        let at = 0;
        for (const w of batch) {
          w.resolve(results.slice(at, at + w.items.length));
          at += w.items.length;
        }
      },
      (e: unknown) => {
        this.writing -= size;
        batch.forEach((w) => w.reject(e));
      },
    );
  };
}
