/** What a ShardActor is given: its clock, its settings, and the ports it reports through. */

export interface Clock {
  now(): number;
}

export interface HotAdReport {
  adId: string;
  clicksPerSecond: number;
}

export interface ShardActorOptions {
  /** Clicks/s of one ad in this shard above which it is reported as a hot-ad candidate. */
  hotAdThreshold: number;
  owner: string;
  flushIntervalMs: number;
  allowedLatenessMs: number;
  idleAdvanceMs: number;
  readBatchSize: number;
  readBlockMs: number;
  leaseTtlMs: number;
}

/** What the actor needs from its surroundings besides the stream and the writer. */
export interface ShardActorPorts {
  /** Reports ads above the hot threshold (best effort). */
  reportHotAds(shard: number, ads: HotAdReport[]): Promise<void>;
  /** Observes a completed flush (metrics). */
  flushed(rows: number, durationMs: number): void;
}
