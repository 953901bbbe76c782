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

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: items from many concurrent requests are written together, one round trip per flush, and each
 * caller's promise settles only with its own item's result.
 */
export class GroupCommitter<T, R> {
  private queue: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private writing = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  get inFlight(): number {
    return this.queue.length + this.writing;
  }

  submit(item: T): Promise<R> {
    if (this.inFlight >= this.options.maxInFlight) return Promise.reject(new BackpressureError(this.inFlight));
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
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
    if (batch.length === 0) return;
    this.queue = [];
    this.writing += batch.length;
    this.write(batch.map((w) => w.item)).then(
      (results) => {
        this.writing -= batch.length;
        batch.forEach((w, i) => w.resolve(results[i]));
      },
      (e: unknown) => {
        this.writing -= batch.length;
        batch.forEach((w) => w.reject(e));
      },
    );
  };
}
