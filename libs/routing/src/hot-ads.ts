/** A salted ad: its events route by `adId#k`, k < salts. `previousSalts` and `changedAt` keep de-dup exact across a change. */
export interface HotAdEntry {
  salts: number;
  previousSalts: number;
  changedAt: number;
}

export const MAX_SALTS = 64;

/** The hot-ad registry as ingest routes with it (pure; loaded from Redis and refreshed on change). */
export class HotAdTable {
  constructor(private readonly entries: ReadonlyMap<string, HotAdEntry> = new Map()) {}

  saltsFor(adId: string): number {
    return this.entries.get(adId)?.salts ?? 1;
  }

  /**
   * The salts an event of `adId` was routed with before the last change, while a retry of such an event may still
   * arrive (within the de-dup horizon); null when routing did not change recently.
   */
  previousSalts(adId: string, now: number, horizonMs: number): number | null {
    const e = this.entries.get(adId);
    if (!e || e.previousSalts === e.salts || now - e.changedAt > horizonMs) return null;
    return e.previousSalts;
  }

  hotAds(): { adId: string; salts: number; changedAt: number }[] {
    return [...this.entries]
      .filter(([, e]) => e.salts > 1)
      .map(([adId, e]) => ({ adId, salts: e.salts, changedAt: e.changedAt }))
      .sort((a, b) => a.adId.localeCompare(b.adId));
  }
}
