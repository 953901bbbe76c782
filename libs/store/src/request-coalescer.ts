/** Thrown to a writer whose rows were still queued when their deadline passed: nothing of theirs was sent. */
export class WriteDeadlineError extends Error {
  constructor(readonly notAfter: number) {
    super(`write not sent: its deadline ${new Date(notAfter).toISOString()} passed while it waited in the queue`);
    this.name = 'WriteDeadlineError';
  }
}

export interface CoalescedPart<T> {
  part: T;
  /** Do not start sending this part after this time (epoch ms); it is rejected instead. */
  notAfter: number;
}

interface Waiting<T> extends CoalescedPart<T> {
  size: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * One request in flight at a time; whatever is submitted meanwhile goes out together in the next one. Many
 * writers sharing a table (every shard actor of a worker) thus make a few large transactions instead of many small
 * ones. With a `slotMs`, requests also start only on wall-clock multiples of it (shifted by `slotPhaseMs`), so parts
 * submitted within one slot (actors flushing on the same second) travel together even when the sink was idle: QuestDB
 * re-merges the rows of an open minute at every transaction of it, so their number, not their size, sets its cost.
 * The phase lets parts submitted just after a multiple (actors flush when they see one pass) catch the slot that
 * follows it instead of waiting a whole slot. Each submitter's
 * promise settles with the result of the request that carried its part: a failed request rejects every part in it,
 * and nothing in it was stored.
 */
export class RequestCoalescer<T> {
  private queue: Waiting<T>[] = [];
  private sending = false;

  constructor(
    private readonly send: (parts: T[]) => Promise<void>,
    /** Start a new request once the parts taken so far reach this size (a single larger part goes alone). */
    private readonly maxRequestSize: number,
    private readonly sizeOf: (part: T) => number,
    private readonly now: () => number = Date.now,
    /** Requests start only at multiples of this (epoch ms); 0 = as soon as the previous one is done. */
    private readonly slotMs = 0,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    /** Slots start this long after each multiple of `slotMs` (0 <= phase < slotMs). */
    private readonly slotPhaseMs = 0,
  ) {}

  /** Parts waiting or being sent. */
  get pending(): number {
    return this.queue.length;
  }

  submit(part: T, notAfter = Number.POSITIVE_INFINITY): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ part, notAfter, size: this.sizeOf(part), resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        if (this.slotMs > 0) await this.sleep(this.untilNextSlot());
        const batch = this.takeBatch();
        if (batch.length === 0) continue;
        try {
          await this.send(batch.map((w) => w.part));
        } catch (e) {
          for (const w of batch) w.reject(e);
          continue;
        }
        for (const w of batch) w.resolve();
      }
    } finally {
      this.sending = false;
    }
  }

  /** Time to the next slot start (a whole slot when exactly on one, so that later parts can join). */
  private untilNextSlot(): number {
    const into = (((this.now() - this.slotPhaseMs) % this.slotMs) + this.slotMs) % this.slotMs;
    return this.slotMs - into;
  }

  /** Up to maxRequestSize of the oldest parts whose deadline has not passed; the expired ones are rejected. */
  private takeBatch(): Waiting<T>[] {
    const now = this.now();
    const batch: Waiting<T>[] = [];
    let size = 0;
    let i = 0;
    for (; i < this.queue.length; i++) {
      const w = this.queue[i];
      if (w.notAfter < now) {
        w.reject(new WriteDeadlineError(w.notAfter));
        continue;
      }
      if (batch.length > 0 && size + w.size > this.maxRequestSize) break;
      batch.push(w);
      size += w.size;
    }
    this.queue = this.queue.slice(i);
    return batch;
  }
}
