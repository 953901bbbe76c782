import { ReplicationError } from './click-stream-writer';
import { ClicksRedis, writeConcernOf } from './redis-client';
import { toRecord } from './redis-reply';
import {
  checkpointCall,
  CheckpointCommit,
  lateCellKey,
  parseStreamTime,
  parseWindowList,
  ShardCheckpoint,
  StateDelta,
  WindowCells,
} from './shard-checkpoint';
import { compareStreamIds } from './stream-ids';
import { clicksOfField, ENTRY_FIELDS, GROUPS, SHARD_CONSUMER, streamKeys } from './stream-keys';

/**
 * One stream entry as the actor sees it: a click payload, an in-band tick, an entry of unknown shape, or a pending
 * entry whose body was trimmed away before it was acknowledged (XREADGROUP answers `[id, nil]`).
 */
export type ShardEntry =
  | { id: string; click: string }
  | { id: string; tick: number }
  | { id: string; blocklist: string }
  | { id: string; unknown: true }
  | { id: string; trimmed: true };

/** Thrown when a read or checkpoint is refused: another owner holds the shard, or the checkpoint is not ours. */
export class FencedError extends Error {
  constructor(
    readonly shard: number,
    readonly epoch: number,
    detail: string,
  ) {
    super(`shard ${shard}: refused at epoch ${epoch} (${detail})`);
    this.name = 'FencedError';
  }
}

/** A read asks for at most its click count / this many entries, and never fewer (see ShardStream.entriesFor). */
const MAX_ENTRIES_DIVISOR = 16;

type RawEntry = [id: string, fields: string[] | null];
type XReadReply = [stream: string, entries: RawEntry[]][] | null;

/**
 * The entries one stream entry holds: a click entry holds one or more clicks (in the order they were accepted:
 * ENQUEUE_CLICKS packs a call's clicks of one shard into one `clicks` field, joined by newlines; earlier versions
 * wrote a `c` field per click), all with the stream entry's id.
 */
function toEntries([id, fields]: RawEntry): ShardEntry[] {
  if (!fields) return [{ id, trimmed: true }];
  const clicks: ShardEntry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [field, value] = [fields[i], fields[i + 1]];
    const payloads = clicksOfField(field, value);
    if (payloads) for (const click of payloads) clicks.push({ id, click });
    else if (clicks.length === 0 && field === ENTRY_FIELDS.tick) return [{ id, tick: Number(value) }];
    else if (clicks.length === 0 && field === ENTRY_FIELDS.blocklist) return [{ id, blocklist: value }];
  }
  return clicks.length > 0 ? clicks : [{ id, unknown: true }];
}

/** What a fenced read delivered, and (when it found nothing new) the id after which to wait for more. */
export interface FencedBatch {
  entries: ShardEntry[];
  lastDeliveredId: string;
}

/**
 * A shard's Redis Stream as its owner reads it through a consumer group. `reader` is a dedicated connection,
 * because a blocking read holds it; `redis` carries everything else. Both connections time out every command, so
 * no read waits forever on a connection that dropped.
 */
export class ShardStream {
  readonly key: string;
  /** Clicks per stream entry in the last read: reads ask for about `count` clicks, not entries. */
  private clicksPerEntry = 1;

  constructor(
    readonly shard: number,
    private readonly redis: ClicksRedis,
    private readonly reader: ClicksRedis,
    readonly group: string = GROUPS.aggregate,
  ) {
    this.key = streamKeys.stream(shard);
  }

  /**
   * How many stream entries to ask for to get about `clicks` clicks, by the last read's clicks per entry, and at most
   * a sixteenth of `clicks` (never fewer than 16): an entry holds up to one intake call's clicks (2,000), so after
   * reads of small entries the next could otherwise bring `clicks` entries of 2,000 each (4M clicks for 2,000) when
   * larger ones follow.
   */
  private entriesFor(clicks: number): number {
    const scaled = Math.round(clicks / this.clicksPerEntry);
    const bound = Math.max(MAX_ENTRIES_DIVISOR, Math.ceil(clicks / MAX_ENTRIES_DIVISOR));
    return Math.max(1, Math.min(scaled, bound));
  }

  private unpack(raw: readonly RawEntry[]): ShardEntry[] {
    const entries = raw.flatMap(toEntries);
    if (raw.length > 0) this.clicksPerEntry = entries.length / raw.length;
    return entries;
  }

  /** Creates every consumer group of the stream (all of them, so trimming always sees every reader). */
  async ensureGroup(): Promise<void> {
    for (const group of Object.values(GROUPS)) {
      try {
        await this.redis.xgroup('CREATE', this.key, group, '0', 'MKSTREAM');
      } catch (e) {
        if (!String(e).includes('BUSYGROUP')) throw e;
      }
    }
  }

  /**
   * Entries for the lease holder at `epoch`: new ones (`>`) or its pending ones after an id. Refused (FencedError)
   * once another owner holds the lease. With replicas required, the entries count as read only once replicated.
   */
  async fencedRead(epoch: number, id: string, count: number): Promise<FencedBatch> {
    for (let attempt = 1; ; attempt++) {
      const batch = await this.watchedRead(epoch, id, count);
      if (batch) return batch;
      // The lease key changed between our look and the read (a renewal, a takeover): look again.
      if (attempt >= 3) throw new Error(`shard ${this.shard}: the lease kept changing during reads`);
    }
  }

  /**
   * The fence: WATCH the lease, check its epoch, then XREADGROUP inside MULTI/EXEC, which Redis runs only if the lease
   * is unchanged since the WATCH. On the shard's dedicated connection (WATCH is per connection). Cheaper than a Lua
   * script, which would convert every entry of the reply to a Lua table and back. Null when EXEC was aborted.
   */
  private async watchedRead(epoch: number, id: string, count: number): Promise<FencedBatch | null> {
    const lease = streamKeys.lease(this.shard);
    // WATCH and the look in one round trip (a pipeline, not a transaction).
    const look = (await this.reader.pipeline().watch(lease).hget(lease, 'epoch').exec()) ?? [];
    for (const [err] of look) if (err) throw err;
    const current = look[1]?.[1] as string | null;
    if (current !== String(epoch)) {
      await this.reader.unwatch();
      throw new FencedError(this.shard, epoch, `FENCED lease epoch ${current} is not ${epoch}`);
    }
    const tx = this.reader.multi();
    tx.call(
      'XREADGROUP',
      'GROUP',
      this.group,
      SHARD_CONSUMER,
      'COUNT',
      this.entriesFor(count),
      'STREAMS',
      this.key,
      id,
    );
    if (id === '>') tx.xinfo('GROUPS', this.key);
    const results = await tx.exec();
    if (results === null) return null;
    const [readErr, reply] = results[0] ?? [new Error('no reply to the fenced read'), null];
    if (readErr) throw readErr;
    await this.awaitReplicas();
    const raw = (reply as XReadReply)?.[0]?.[1] ?? [];
    let lastDeliveredId = '';
    if (raw.length === 0 && id === '>') {
      const group = ((results[1]?.[1] ?? []) as unknown[][]).map(toRecord).find((g) => g.name === this.group);
      lastDeliveredId = group ? String(group['last-delivered-id']) : '';
    }
    return { entries: this.unpack(raw), lastDeliveredId };
  }

  /**
   * With replicas required, entries count as read only once that many replicas have everything up to this read (the
   * read is a write: it moves the group), so no entry a failover may lose is ever counted.
   */
  private async awaitReplicas(): Promise<void> {
    const { replicas, timeoutMs } = writeConcernOf(this.redis);
    if (replicas === 0) return;
    const acked = Number(await this.reader.call('WAIT', replicas, timeoutMs));
    if (acked < replicas) throw new ReplicationError(this.shard, acked, replicas);
  }

  /**
   * Waits up to `blockMs` for an entry after `afterId` (XREAD BLOCK: delivers nothing, changes nothing), so an idle
   * owner does not poll. Returns early on any entry; a failure here only costs a retry.
   */
  async waitForNew(afterId: string, blockMs: number): Promise<void> {
    await this.reader.call('XREAD', 'COUNT', 1, 'BLOCK', blockMs, 'STREAMS', this.key, afterId || '$');
  }

  /** The oldest entry pending in the group (delivered, never acknowledged), or null. */
  async oldestPending(): Promise<string | null> {
    const summary = (await this.redis.xpending(this.key, this.group)) as [number, string | null, ...unknown[]];
    return summary[0] > 0 ? summary[1] : null;
  }

  /** Entries delivered to the owner but not yet acknowledged, after `afterId` (unfenced: the archive's reads). */
  readPending(afterId: string, count: number): Promise<ShardEntry[]> {
    return this.read(afterId, count, 0);
  }

  /** New entries, waiting up to `blockMs` for some. */
  readNew(count: number, blockMs: number): Promise<ShardEntry[]> {
    return this.read('>', count, blockMs);
  }

  private async read(id: string, count: number, blockMs: number): Promise<ShardEntry[]> {
    const args: (string | number)[] = ['GROUP', this.group, SHARD_CONSUMER, 'COUNT', this.entriesFor(count)];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    const reply = (await this.reader.call('XREADGROUP', ...args, 'STREAMS', this.key, id)) as XReadReply;
    return this.unpack(reply?.[0]?.[1] ?? []);
  }

  /** The last applied id, epoch and stream time of the checkpoint (without its windows); null before the first one. */
  async checkpointHead(): Promise<{ lastId: string; epoch: number; streamTime: number } | null> {
    const key = streamKeys.checkpoint(this.shard);
    const [lastId, epoch, streamTime] = await this.redis.hmget(key, 'lastId', 'epoch', 'streamTime');
    // -Infinity for a checkpoint in the old whole-state format (its stream time is inside the JSON) until replaced.
    return lastId ? { lastId, epoch: Number(epoch ?? 0), streamTime: parseStreamTime(streamTime ?? undefined) } : null;
  }

  /** The state saved by the last checkpoint, with every open window's cells; null before the first one. */
  async loadCheckpoint(): Promise<ShardCheckpoint | null> {
    const h = await this.redis.hgetall(streamKeys.checkpoint(this.shard));
    if (!h.lastId) return null;
    const epoch = Number(h.epoch ?? 0);
    const seq = Number(h.seq ?? 0);
    if (h.state !== undefined) {
      // Written before checkpoints were deltas: the whole state as JSON. The next checkpoint replaces it.
      const old = JSON.parse(h.state) as { observedStreamTime: number | null; windows: WindowCells[] };
      const observedStreamTime = old.observedStreamTime ?? -Infinity;
      return { lastId: h.lastId, epoch, seq, observedStreamTime, windows: old.windows, blocklist: h.blocklist };
    }
    const starts = parseWindowList(h.windows);
    const pipeline = this.redis.pipeline();
    for (const start of starts) pipeline.hgetall(streamKeys.window(this.shard, start));
    const replies = starts.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const windows = starts.map((start, i): WindowCells => {
      const [err, cells] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return [start, Object.entries(cells as Record<string, string>).map(([key, n]) => [key, Number(n)])];
    });
    const observedStreamTime = parseStreamTime(h.streamTime);
    return { lastId: h.lastId, epoch, seq, observedStreamTime, windows, blocklist: h.blocklist };
  }

  /**
   * The cumulative late clicks folded in so far, per minute and cell key (missing cells are absent), for the cells
   * asked for: the base the next checkpoint adds its late clicks to.
   */
  async lateCounts(cells: readonly [minute: number, keys: readonly string[]][]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (cells.length === 0) return out;
    const pipeline = this.redis.pipeline();
    // An array, not spread: a minute can have more late cells than a call's arguments can hold.
    for (const [minute, keys] of cells) pipeline.call('HMGET', [streamKeys.lateWindow(this.shard, minute), ...keys]);
    const replies = (await pipeline.exec()) ?? [];
    cells.forEach(([minute, keys], i) => {
      const [err, values] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      (values as (string | null)[]).forEach((v, k) => {
        if (v !== null) out.set(lateCellKey(minute, keys[k]), Number(v));
      });
    });
    return out;
  }

  /**
   * Saves the state delta and last applied id, records late events and dead letters and XACKs the entries, in one
   * Lua step fenced by the lease epoch and the previous checkpoint's seq. With replicas required it is durable only
   * once they have it (WAIT): fewer throws, and the caller recovers from whatever checkpoint survives.
   * Returns the new seq and the number of cell values written.
   */
  async checkpoint(delta: StateDelta, commit: CheckpointCommit): Promise<{ seq: number; cells: number }> {
    // A pipeline queues commands; their results arrive through exec(), not the per-command promises.
    const [numKeys, ...args] = checkpointCall(this.shard, this.group, delta, commit);
    const { replicas, timeoutMs } = writeConcernOf(this.redis);
    const pipeline = this.redis.pipeline();
    void (pipeline as unknown as ClicksRedis).checkpoint(Number(numKeys), args);
    if (replicas > 0) pipeline.call('WAIT', replicas, timeoutMs);
    const results = (await pipeline.exec()) ?? [];
    const [err, seq] = results[0] ?? [new Error('no reply to the checkpoint'), null];
    if (err) {
      if (String(err).includes('FENCED')) throw new FencedError(this.shard, commit.epoch, String(err));
      throw err;
    }
    if (replicas > 0) {
      const [waitErr, acked] = results[1] ?? [new Error('no reply to WAIT'), 0];
      if (waitErr) throw waitErr;
      if (Number(acked) < replicas) throw new ReplicationError(this.shard, Number(acked), replicas);
    }
    return { seq: Number(seq), cells: delta.changed.reduce((n, [, cells]) => n + cells.length, 0) };
  }

  /** XACK without state: for consumers whose sink is idempotent on its own (the raw archive). */
  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xack(this.key, this.group, ...new Set(ids));
  }

  /** Length, per-group lag and pending counts, and the id below which every group has acknowledged. */
  async info(): Promise<StreamInfo> {
    const [length, groups] = await Promise.all([
      this.redis.xlen(this.key),
      this.redis.xinfo('GROUPS', this.key).catch(() => []) as Promise<unknown[][]>,
    ]);
    const result: StreamInfo = { length, groups: {}, trimFloor: null };
    let floor: string | null = null;
    for (const raw of groups) {
      const g = toRecord(raw);
      const name = String(g.name);
      const pending = Number(g.pending ?? 0);
      const lag = g.lag === null || g.lag === undefined ? null : Number(g.lag);
      const group: StreamGroupInfo = {
        pending,
        lag,
        lastDeliveredId: String(g['last-delivered-id']),
        oldestPendingId: null,
      };
      result.groups[name] = group;
      let groupFloor = group.lastDeliveredId;
      if (pending > 0) {
        const summary = (await this.redis.xpending(this.key, name)) as [number, string | null, string | null, unknown];
        group.oldestPendingId = summary[1];
        if (summary[1]) groupFloor = summary[1];
      }
      if (floor === null || compareStreamIds(groupFloor, floor) < 0) floor = groupFloor;
    }
    result.trimFloor = Object.keys(result.groups).length === Object.keys(GROUPS).length ? floor : null;
    return result;
  }

  /** The id of the first entry after `id` (null: none), e.g. the oldest entry a group has not read yet. */
  async firstEntryAfter(id: string): Promise<string | null> {
    const entries = await this.redis.xrange(this.key, `(${id}`, '+', 'COUNT', 1);
    return entries[0]?.[0] ?? null;
  }

  /** Trims entries below the id every group has acknowledged (never below a pending entry). */
  async trim(): Promise<string | null> {
    const { trimFloor } = await this.info();
    if (trimFloor && trimFloor !== '0-0') await this.redis.xtrim(this.key, 'MINID', '~', trimFloor);
    return trimFloor;
  }

  /** An idle tick: moves the shard's stream time forward in-band, so replays see it at the same position. */
  async appendTick(streamTime: number): Promise<void> {
    await this.redis.xadd(this.key, '*', ENTRY_FIELDS.tick, String(streamTime));
  }

  /** The blocklist in force from here on (JSON `{version, cidrs}`), in-band like a tick. */
  async appendBlocklist(blocklist: string): Promise<void> {
    await this.redis.xadd(this.key, '*', ENTRY_FIELDS.blocklist, blocklist);
  }

  /** Takes or renews the shard's lease; returns the fencing epoch, or 0 when another owner holds it. */
  acquireLease(owner: string, ttlMs: number): Promise<number> {
    return this.redis.acquireLease(streamKeys.lease(this.shard), streamKeys.epoch(this.shard), owner, ttlMs);
  }

  /** Who holds the shard's lease now, at which epoch (null when nobody does). */
  async leaseHolder(): Promise<{ owner: string; epoch: number; ttlMs: number } | null> {
    const key = streamKeys.lease(this.shard);
    const [h, ttl] = await Promise.all([this.redis.hgetall(key), this.redis.pttl(key)]);
    return h.owner ? { owner: h.owner, epoch: Number(h.epoch), ttlMs: ttl } : null;
  }

  async releaseLease(epoch: number): Promise<void> {
    await this.redis.releaseLease(streamKeys.lease(this.shard), epoch);
  }
}

export interface StreamGroupInfo {
  pending: number;
  lag: number | null;
  lastDeliveredId: string;
  /** The oldest entry the group read and has not acknowledged (null when none is pending). */
  oldestPendingId: string | null;
}

export interface StreamInfo {
  length: number;
  groups: Record<string, StreamGroupInfo>;
  /** Every group has acknowledged everything below this id (null until every group exists). */
  trimFloor: string | null;
}
