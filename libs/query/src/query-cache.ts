import { LRUCache } from 'lru-cache';

export interface QueryCacheOptions {
  /**
   * Upper bound on the estimated size of the cached answers (see {@link QueryCache.sizeOf}); 64 MiB by default.
   * 0 disables caching, as a ttl of 0 does.
   */
  maxBytes?: number;
  /** Time source for expiry, in ms; injectable for tests. */
  clock?: () => number;
}

interface Answer<T> {
  value: T;
  expires: number;
}

interface Load<T> {
  promise: Promise<T>;
  expires: number;
}

/**
 * A short-lived cache of answers keyed by the resolved query (window, filters, ...). Concurrent identical queries
 * share one database round trip; an answer is served for at most `ttlMs` from the start of the load that produced
 * it, and `ttlMs` is kept at or below the aggregator's flush interval, so a cached answer is never older than the
 * data QuestDB could have returned.
 *
 * Memory is bounded in bytes, not entries: resolved answers live in an LRU cache holding at most `maxBytes` of
 * estimated size, least recently used first out; an answer larger than `maxBytes` is not cached. Loads in flight are
 * kept apart (not counted in bytes) and a failed load is not remembered. Expiry is checked here against the injected
 * clock rather than by lru-cache's own ttl (which treats a start time of 0 as "no ttl" and memoises the time for a
 * real-time millisecond), so the LRU only bounds the size; an expired answer is dropped when next asked for, or falls
 * out as newer answers need its room.
 */
export class QueryCache<T> {
  static readonly DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

  private readonly answers: LRUCache<string, Answer<T>>;
  private readonly loads = new Map<string, Load<T>>();
  private readonly maxBytes: number;
  private readonly clock: () => number;
  private readonly enabled: boolean;

  constructor(
    private readonly ttlMs: number,
    { maxBytes = QueryCache.DEFAULT_MAX_BYTES, clock = Date.now }: QueryCacheOptions = {},
  ) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`QueryCache maxBytes must be a non-negative integer, got ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.enabled = ttlMs > 0 && maxBytes > 0;
    this.answers = new LRUCache<string, Answer<T>>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (answer, key) => this.sizeOf(key, answer.value),
    });
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const now = this.clock();
    const hit = this.answers.get(key);
    if (hit) {
      if (hit.expires > now) return Promise.resolve(hit.value);
      this.answers.delete(key);
    }
    const pending = this.loads.get(key);
    if (pending && pending.expires > now) return pending.promise;

    const expires = now + this.ttlMs;
    const promise = load();
    this.loads.set(key, { promise, expires });
    promise.then(
      (value) => {
        // A load superseded by a newer one (it outlived the ttl) leaves the key to that one.
        if (this.loads.get(key)?.promise !== promise) return;
        this.loads.delete(key);
        // Too big for maxBytes: lru-cache stores nothing (sizeOf never throws).
        if (expires > this.clock()) this.answers.set(key, { value, expires });
      },
      () => {
        // A failed load is not remembered: the next caller tries again.
        if (this.loads.get(key)?.promise === promise) this.loads.delete(key);
      },
    );
    return promise;
  }

  /** Whether `key` would be answered from memory now, from a stored answer or a load in flight (for metrics). */
  fresh(key: string): boolean {
    const now = this.clock();
    return (this.answers.peek(key)?.expires ?? -Infinity) > now || (this.loads.get(key)?.expires ?? -Infinity) > now;
  }

  /** Answers held (loads in flight excluded; an expired answer counts until it is dropped). */
  get size(): number {
    return this.answers.size;
  }

  /** Estimated bytes of the answers held; at most `maxBytes`. */
  get bytes(): number {
    return this.answers.calculatedSize;
  }

  /**
   * Estimated bytes of an answer: UTF-16 code units (2 bytes each) of its key and of its JSON. Cheap, and close
   * enough for the small JSON answers cached here. An answer that cannot be serialised counts as too big to cache.
   */
  sizeOf(key: string, value: T): number {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      return this.maxBytes + 1;
    }
    return Math.max(1, ((json?.length ?? 0) + key.length) * 2);
  }
}
