/**
 * Remembers loaded values for `ttlMs`; after that the next read loads again, and if that load fails (the store is
 * down) the last value is served instead, so an outage of the store does not take readers down with it. Forgetting
 * a key drops it at once (a change was announced).
 */
export class StaleOnErrorCache<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  /** Bumped on every forget, so a load that started before it does not store its stale answer. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.clock() - hit.at < this.ttlMs) return hit.value;
    const generation = this.generation;
    let value: T;
    try {
      value = await load();
    } catch (e) {
      if (hit) return hit.value;
      throw e;
    }
    if (generation === this.generation) this.remember(key, value);
    return value;
  }

  forget(key?: string): void {
    this.generation++;
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }

  /** Marks every entry due for a reload without dropping it (a missed announcement is possible). */
  expireAll(): void {
    this.generation++;
    for (const e of this.entries.values()) e.at = -Infinity;
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, value: T): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, at: this.clock() });
  }
}
