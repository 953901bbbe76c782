/** What a ShardActor is given: the stores it reads and writes through, its clock, its settings and its reports. */
import { FraudRules } from '@clicks/fraud';
import { AggregateRow } from '@clicks/store';
import { CheckpointCommit, FencedBatch, ShardCheckpoint, StateDelta } from '@clicks/stream';

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
  /** How far past its append time (Redis's clock) a click's own time may move stream time. */
  streamTimeMaxSkewMs: number;
  idleAdvanceMs: number;
  readBatchSize: number;
  readBlockMs: number;
  leaseTtlMs: number;
  /** How long a minute's folded-in late counts are kept: as long as clicks that old are accepted, and a day more. */
  lateRetentionMs: number;
  /** The invalid-click rules (none when absent: every click is valid). */
  fraud?: FraudRules;
}

/** The shard's stream as its owner reads it (ShardStream in production, an in-memory fake in unit tests). */
export interface ShardLog {
  ensureGroup(): Promise<void>;
  /** Entries for the lease holder at `epoch` only (`>` new, or pending after an id); FencedError otherwise. */
  fencedRead(epoch: number, id: string, count: number): Promise<FencedBatch>;
  /** Waits up to `blockMs` for an entry after `afterId`, taking nothing. */
  waitForNew(afterId: string, blockMs: number): Promise<void>;
  oldestPending(): Promise<string | null>;
  /** Trims below what every group acknowledged; returns that floor. */
  trim(): Promise<string | null>;
  appendTick(streamTime: number): Promise<void>;
  /** Puts a blocklist (JSON `{version, cidrs}`) in-band: it judges every click after it. */
  appendBlocklist(blocklist: string): Promise<void>;
}

/** The shard's checkpoint: restored at takeover, saved (fenced, compare-and-set on seq) after every write. */
export interface CheckpointStore {
  loadCheckpoint(): Promise<ShardCheckpoint | null>;
  /** The late clicks folded in so far per minute and cell key (keyed by lateCellKey); absent cells are 0. */
  lateCounts(cells: readonly [minute: number, keys: readonly string[]][]): Promise<Map<string, number>>;
  checkpoint(delta: StateDelta, commit: CheckpointCommit): Promise<{ seq: number; cells: number }>;
}

/** The shard's lease with its fencing epoch. */
export interface ShardLease {
  /** Takes or renews the lease; the epoch held, or 0 when another owner holds it. */
  acquireLease(owner: string, ttlMs: number): Promise<number>;
  releaseLease(epoch: number): Promise<void>;
}

/** Where cumulative minute counts and verdicts go (QuestDB's ad_clicks_1m, ad_invalid_clicks_1m, clicks_raw_invalid). */
export interface AggregateSink {
  /** Stores every row or none; rows still unsent at `notAfter` (ms) are not sent. */
  write(rows: readonly AggregateRow[], notAfter?: number): Promise<void>;
}

/** Everything a shard actor does I/O through. */
export interface ShardActorStores {
  log: ShardLog;
  checkpoints: CheckpointStore;
  lease: ShardLease;
  sink: AggregateSink;
}

/** What the actor needs from its surroundings besides the stream and the writer. */
export interface ShardActorPorts {
  /** Reports ads above the hot threshold (best effort). */
  reportHotAds(shard: number, ads: HotAdReport[]): Promise<void>;
  /** Observes a completed flush (metrics). */
  flushed(rows: number, durationMs: number): void;
  /** The operator's blocklist as last read (null: not known yet); the actor puts newer versions in-band. */
  currentBlocklist?(): { version: number; cidrs: readonly string[] } | null;
}
