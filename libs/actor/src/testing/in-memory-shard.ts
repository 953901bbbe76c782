import { InvalidClickRow, MinuteCountRow } from '@clicks/store';
import {
  CheckpointCommit,
  compareStreamIds,
  FencedBatch,
  FencedError,
  lateCellKey,
  ShardCheckpoint,
  ShardEntry,
  StateDelta,
} from '@clicks/stream';
import { AggregateSink, CheckpointStore, Clock, ShardLease, ShardLog } from '../shard-actor.ports';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** An entry's content; `clicks`: several clicks in one entry, as intake packs a call's clicks of one shard. */
type Body = { click: string } | { clicks: string[] } | { tick: number } | { blocklist: string } | { unknown: true };
type Op = 'read' | 'checkpoint' | 'lease' | 'log';

interface Saved {
  lastId: string;
  epoch: number;
  seq: number;
  streamTime: number;
  windows: Map<number, Map<string, number>>;
  /** The late hashes: lateCellKey -> cumulative late clicks. */
  lateCounts: Map<string, number>;
  blocklist?: string;
}

/**
 * One shard's Redis keys in memory with Redis's semantics as the actor relies on them: a stream with one consumer
 * group and its pending list, the lease with its epoch counter and TTL (on the fake clock), the fenced read and the
 * fenced, compare-and-set checkpoint, the late and dead-letter streams. Faults are injected by hand.
 */
export class InMemoryShard implements ShardLog, CheckpointStore, ShardLease {
  private readonly entries: { id: string; body: Body | null }[] = [];
  private lastDelivered = '0-0';
  private pending: string[] = [];
  private lease: { owner: string; epoch: number; expiresAt: number } | null = null;
  private epochCounter = 0;
  private saved: Saved | null = null;
  /** What a failover would roll back to: the checkpoint before the last one, with its pending list. */
  private beforeLast: { saved: Saved | null; pending: string[] } | null = null;
  private readonly failures = new Map<Op, number>();
  private loseReadReply = false;
  private pauseInLeaseCall: (() => Promise<void>) | null = null;
  readonly late: string[] = [];
  readonly dead: string[] = [];
  private lastIdMs = 0;
  private lastIdSeq = 0;

  constructor(private readonly clock: Clock) {}

  append(body: Body): string {
    const ms = this.clock.now();
    this.lastIdSeq = ms === this.lastIdMs ? this.lastIdSeq + 1 : 0;
    this.lastIdMs = ms;
    const id = `${ms}-${this.lastIdSeq}`;
    this.entries.push({ id, body });
    return id;
  }

  /** The next `times` calls of an operation fail as if Redis were unreachable. */
  fail(op: Op, times = 1): void {
    this.failures.set(op, (this.failures.get(op) ?? 0) + times);
  }

  /** The next new-entries read is executed by Redis, but its reply is lost (a dropped connection). */
  loseNextReadReply(): void {
    this.loseReadReply = true;
  }

  /**
   * The next lease call is answered by Redis, but its caller is paused before it sees the reply: `meanwhile` runs
   * (the clock moves, another owner takes over), then the caller resumes with the old reply.
   */
  pauseDuringNextLeaseCall(meanwhile: () => Promise<void>): void {
    this.pauseInLeaseCall = meanwhile;
  }

  /** Delivers new entries to the group without anyone getting them (an unfenced reader of an older build). */
  deliverUnseen(count: number): void {
    this.deliver(count);
  }

  /** The body of an entry is trimmed away while it is still pending. */
  trimBody(id: string): void {
    const e = this.entries.find((x) => x.id === id);
    if (e) e.body = null;
  }

  /** A failover loses the last checkpoint, and the acknowledgements it made. */
  loseLastCheckpoint(): void {
    if (!this.beforeLast) return;
    this.saved = this.beforeLast.saved;
    this.pending = this.beforeLast.pending;
    this.beforeLast = null;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get undelivered(): number {
    return this.entries.filter((e) => compareStreamIds(e.id, this.lastDelivered) > 0).length;
  }

  private failIfInjected(op: Op): void {
    const n = this.failures.get(op) ?? 0;
    if (n === 0) return;
    this.failures.set(op, n - 1);
    throw new Error(`injected ${op} failure (Redis unreachable)`);
  }

  private leaseEpoch(): number | null {
    const l = this.lease;
    return l && l.expiresAt > this.clock.now() ? l.epoch : null;
  }

  private deliver(count: number): ShardEntry[] {
    const fresh = this.entries.filter((e) => compareStreamIds(e.id, this.lastDelivered) > 0).slice(0, count);
    for (const e of fresh) this.pending.push(e.id);
    if (fresh.length > 0) this.lastDelivered = fresh[fresh.length - 1].id;
    return fresh.flatMap((e) => this.toEntries(e.id));
  }

  /** What a read delivers of one entry: each of its clicks under its id, like ShardStream. */
  private toEntries(id: string): ShardEntry[] {
    const body = this.entries.find((e) => e.id === id)?.body;
    if (!body) return [{ id, trimmed: true }];
    return 'clicks' in body ? body.clicks.map((click) => ({ id, click })) : [{ id, ...body }];
  }

  ensureGroup(): Promise<void> {
    this.failIfInjected('log');
    return Promise.resolve();
  }

  fencedRead(epoch: number, id: string, count: number): Promise<FencedBatch> {
    this.failIfInjected('read');
    if (this.leaseEpoch() !== epoch) throw new FencedError(0, epoch, `lease epoch ${this.leaseEpoch()}`);
    if (id !== '>') {
      const ids = this.pending.filter((p) => compareStreamIds(p, id) > 0).slice(0, count);
      return Promise.resolve({ entries: ids.flatMap((p) => this.toEntries(p)), lastDeliveredId: '' });
    }
    const entries = this.deliver(count);
    if (this.loseReadReply && entries.length > 0) {
      this.loseReadReply = false;
      throw new Error('connection lost before the reply');
    }
    return Promise.resolve({ entries, lastDeliveredId: entries.length === 0 ? this.lastDelivered : '' });
  }

  waitForNew(): Promise<void> {
    return Promise.resolve();
  }

  oldestPending(): Promise<string | null> {
    this.failIfInjected('log');
    return Promise.resolve(this.pending[0] ?? null);
  }

  trim(): Promise<string | null> {
    this.failIfInjected('log');
    return Promise.resolve(this.pending[0] ?? this.lastDelivered);
  }

  appendTick(streamTime: number): Promise<void> {
    this.failIfInjected('log');
    this.append({ tick: streamTime });
    return Promise.resolve();
  }

  appendBlocklist(blocklist: string): Promise<void> {
    this.failIfInjected('log');
    this.append({ blocklist });
    return Promise.resolve();
  }

  lateCounts(cells: readonly [number, readonly string[]][]): Promise<Map<string, number>> {
    this.failIfInjected('checkpoint');
    const out = new Map<string, number>();
    for (const [minute, keys] of cells) {
      for (const key of keys) {
        const v = this.saved?.lateCounts.get(lateCellKey(minute, key));
        if (v !== undefined) out.set(lateCellKey(minute, key), v);
      }
    }
    return Promise.resolve(out);
  }

  /** Every folded-in late count, for assertions. */
  get lateHashes(): ReadonlyMap<string, number> {
    return this.saved?.lateCounts ?? new Map();
  }

  loadCheckpoint(): Promise<ShardCheckpoint | null> {
    this.failIfInjected('checkpoint');
    const s = this.saved;
    if (!s) return Promise.resolve(null);
    const windows = [...s.windows].map(([start, cells]): [number, [string, number][]] => [start, [...cells]]);
    const { lastId, epoch, seq, streamTime: observedStreamTime, blocklist } = s;
    return Promise.resolve({ lastId, epoch, seq, observedStreamTime, windows, blocklist });
  }

  checkpoint(delta: StateDelta, commit: CheckpointCommit): Promise<{ seq: number; cells: number }> {
    this.failIfInjected('checkpoint');
    if (this.leaseEpoch() !== commit.epoch) throw new FencedError(0, commit.epoch, 'FENCED lease epoch');
    const seq = this.saved?.seq ?? 0;
    if (seq !== commit.seq) throw new FencedError(0, commit.epoch, `FENCED checkpoint seq ${seq} is not ${commit.seq}`);
    this.beforeLast = { saved: this.saved && copy(this.saved), pending: [...this.pending] };
    const windows = new Map(this.saved ? copy(this.saved).windows : []);
    for (const [start, cells] of delta.changed) {
      const w = windows.get(start) ?? new Map<string, number>();
      for (const [key, clicks] of cells) w.set(key, clicks);
      windows.set(start, w);
    }
    for (const start of delta.closed) windows.delete(start);
    const streamTime = delta.observedStreamTime;
    const lateCounts = new Map(this.saved?.lateCounts ?? []);
    for (const [minute, cells] of commit.lateCells ?? []) {
      for (const [key, clicks] of cells) lateCounts.set(lateCellKey(minute, key), clicks);
    }
    const blocklist = commit.blocklist ?? this.saved?.blocklist;
    this.saved = {
      lastId: commit.lastId,
      epoch: commit.epoch,
      seq: seq + 1,
      streamTime,
      windows,
      lateCounts,
      blocklist,
    };
    this.late.push(...commit.late);
    this.dead.push(...commit.deadLetters);
    const acked = new Set(commit.ids);
    this.pending = this.pending.filter((p) => !acked.has(p));
    return Promise.resolve({ seq: seq + 1, cells: delta.changed.reduce((n, [, c]) => n + c.length, 0) });
  }

  acquireLease(owner: string, ttlMs: number): Promise<number> {
    this.failIfInjected('lease');
    const now = this.clock.now();
    if (this.leaseEpoch() !== null && this.lease?.owner !== owner) return Promise.resolve(0);
    if (this.leaseEpoch() === null) this.lease = { owner, epoch: ++this.epochCounter, expiresAt: 0 };
    this.lease!.expiresAt = now + ttlMs;
    const reply = this.lease!.epoch;
    const pause = this.pauseInLeaseCall;
    this.pauseInLeaseCall = null;
    return pause ? pause().then(() => reply) : Promise.resolve(reply);
  }

  releaseLease(epoch: number): Promise<void> {
    this.failIfInjected('lease');
    if (this.lease?.epoch === epoch) this.lease = null;
    return Promise.resolve();
  }
}

function copy(s: Saved): Saved {
  return {
    ...s,
    windows: new Map([...s.windows].map(([k, v]) => [k, new Map(v)])),
    lateCounts: new Map(s.lateCounts),
  };
}

/** ad_clicks_1m in memory: last write wins per (minute, ad, country, shard); writes attributed to their writer. */
export class InMemoryAggregates {
  private readonly rows = new Map<string, MinuteCountRow>();
  /** clicks_raw_invalid: the verdict on each invalid click, by (ts, event id) like its DEDUP keys. */
  readonly verdicts = new Map<string, InvalidClickRow>();
  readonly rowsBy = new Map<string, number>();
  private failures = 0;

  constructor(private readonly clock: Clock) {}

  /** The next `times` writes fail (QuestDB unreachable) and store nothing. */
  fail(times = 1): void {
    this.failures += times;
  }

  /** QuestDB is back: pending injected failures are dropped. */
  heal(): void {
    this.failures = 0;
  }

  /** A sink for one writer (one actor), whose rows are counted under its name. */
  sinkFor(writer: string): AggregateSink {
    return {
      write: (rows, notAfter) => {
        if (this.failures > 0) {
          this.failures--;
          return Promise.reject(new Error('injected QuestDB failure'));
        }
        if (notAfter !== undefined && this.clock.now() >= notAfter) {
          return Promise.reject(new Error('write deadline passed: not sent'));
        }
        for (const r of rows) {
          if ('eventId' in r) this.verdicts.set(`${r.ts}|${r.eventId}`, r);
          else this.rows.set(`${r.ts}|${r.adId}|${r.country}|${r.shard}|${r.reason ?? ''}`, r);
        }
        this.rowsBy.set(writer, (this.rowsBy.get(writer) ?? 0) + rows.length);
        return Promise.resolve();
      },
    };
  }

  /** Late (folded-in) clicks per ad. */
  lateTotals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rows.values())
      if (r.late && r.reason === undefined) out[r.adId] = (out[r.adId] ?? 0) + r.clicks;
    return out;
  }

  /** Clicks per ad, summed over minutes, countries and shards. */
  totals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rows.values()) if (r.reason === undefined) out[r.adId] = (out[r.adId] ?? 0) + r.clicks;
    return out;
  }

  /** Invalid clicks per `ad/reason` (ad_invalid_clicks_1m), summed over minutes, countries and shards. */
  invalidTotals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.rows.values()) {
      if (r.reason !== undefined) out[`${r.adId}/${r.reason}`] = (out[`${r.adId}/${r.reason}`] ?? 0) + r.clicks;
    }
    return out;
  }
}
