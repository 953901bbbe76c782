import { ClicksRedis } from './redis-client';
import { toRecord } from './redis-reply';
import {
  checkpointCall,
  parseStreamTime,
  parseWindowList,
  ShardCheckpoint,
  StateDelta,
  WindowCells,
} from './shard-checkpoint';
import { ENTRY_FIELDS, GROUPS, SHARD_CONSUMER, streamKeys } from './stream-keys';

/** One stream entry as the actor sees it: a click payload or an in-band tick. */
export type ShardEntry = { id: string; click: string } | { id: string; tick: number } | { id: string; unknown: true };

/** Thrown when a checkpoint is refused because another owner holds the shard at a newer epoch. */
export class FencedError extends Error {
  constructor(
    readonly shard: number,
    readonly epoch: number,
    detail: string,
  ) {
    super(`shard ${shard}: checkpoint at epoch ${epoch} refused (${detail})`);
    this.name = 'FencedError';
  }
}

type RawEntry = [id: string, fields: string[]];
type XReadReply = [stream: string, entries: RawEntry[]][] | null;

function toEntry([id, fields]: RawEntry): ShardEntry {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === ENTRY_FIELDS.click) return { id, click: fields[i + 1] };
    if (fields[i] === ENTRY_FIELDS.tick) return { id, tick: Number(fields[i + 1]) };
  }
  return { id, unknown: true };
}

/**
 * A shard's Redis Stream as its owner reads it through a consumer group. `reader` is a dedicated connection,
 * because XREADGROUP BLOCK holds it; `redis` carries everything else.
 */
export class ShardStream {
  readonly key: string;

  constructor(
    readonly shard: number,
    private readonly redis: ClicksRedis,
    private readonly reader: ClicksRedis,
    readonly group: string = GROUPS.aggregate,
  ) {
    this.key = streamKeys.stream(shard);
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

  /** Entries delivered to the owner but not yet acknowledged, after `afterId`. */
  readPending(afterId: string, count: number): Promise<ShardEntry[]> {
    return this.read(afterId, count, 0);
  }

  /** New entries, waiting up to `blockMs` for some. */
  readNew(count: number, blockMs: number): Promise<ShardEntry[]> {
    return this.read('>', count, blockMs);
  }

  private async read(id: string, count: number, blockMs: number): Promise<ShardEntry[]> {
    const args: (string | number)[] = ['GROUP', this.group, SHARD_CONSUMER, 'COUNT', count];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    const reply = (await this.reader.call('XREADGROUP', ...args, 'STREAMS', this.key, id)) as XReadReply;
    return reply?.[0]?.[1].map(toEntry) ?? [];
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
    if (h.state !== undefined) {
      // Written before checkpoints were deltas: the whole state as JSON. The next checkpoint replaces it.
      const old = JSON.parse(h.state) as { observedStreamTime: number | null; windows: WindowCells[] };
      return { lastId: h.lastId, epoch, observedStreamTime: old.observedStreamTime ?? -Infinity, windows: old.windows };
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
    return { lastId: h.lastId, epoch, observedStreamTime: parseStreamTime(h.streamTime), windows };
  }

  /**
   * Saves the state delta and last applied id, records late events and XACKs `ids`, in one fenced Lua step.
   * Returns the number of cell values written.
   */
  async checkpoint(
    epoch: number,
    delta: StateDelta,
    lastId: string,
    late: readonly string[],
    ids: readonly string[],
  ): Promise<number> {
    const [numKeys, ...args] = checkpointCall(this.shard, this.group, epoch, delta, lastId, late, ids);
    try {
      await this.redis.checkpoint(Number(numKeys), ...args);
    } catch (e) {
      if (String(e).includes('FENCED')) throw new FencedError(this.shard, epoch, String(e));
      throw e;
    }
    return delta.changed.reduce((n, [, cells]) => n + cells.length, 0);
  }

  /** XACK without state: for consumers whose sink is idempotent on its own (the raw archive). */
  async ack(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xack(this.key, this.group, ...ids);
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
      result.groups[name] = { pending, lag, lastDeliveredId: String(g['last-delivered-id']) };
      let groupFloor = String(g['last-delivered-id']);
      if (pending > 0) {
        const summary = (await this.redis.xpending(this.key, name)) as [number, string | null, string | null, unknown];
        if (summary[1]) groupFloor = summary[1];
      }
      if (floor === null || compareStreamIds(groupFloor, floor) < 0) floor = groupFloor;
    }
    result.trimFloor = Object.keys(result.groups).length === Object.keys(GROUPS).length ? floor : null;
    return result;
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

export interface StreamInfo {
  length: number;
  groups: Record<string, { pending: number; lag: number | null; lastDeliveredId: string }>;
  /** Every group has acknowledged everything below this id (null until every group exists). */
  trimFloor: string | null;
}

/**
 * Compares Redis stream ids (`ms-seq`, a missing seq meaning 0) numerically. Called for every entry an actor
 * applies, so it compares the decimal digits in place instead of splitting and parsing (no allocation).
 */
export function compareStreamIds(a: string, b: string): number {
  if (a === b) return 0;
  const ad = dashAt(a);
  const bd = dashAt(b);
  return compareDecimal(a, 0, ad, b, 0, bd) || compareDecimal(a, ad + 1, a.length, b, bd + 1, b.length);
}

function dashAt(id: string): number {
  const i = id.indexOf('-');
  return i < 0 ? id.length : i;
}

/** Compares the non-negative decimal numbers a[aFrom, aTo) and b[bFrom, bTo); an empty range is 0. */
function compareDecimal(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): number {
  while (aFrom < aTo - 1 && a.charCodeAt(aFrom) === 48) aFrom++;
  while (bFrom < bTo - 1 && b.charCodeAt(bFrom) === 48) bFrom++;
  const aLen = Math.max(0, aTo - aFrom);
  const bLen = Math.max(0, bTo - bFrom);
  const aZero = aLen === 0 || (aLen === 1 && a.charCodeAt(aFrom) === 48);
  const bZero = bLen === 0 || (bLen === 1 && b.charCodeAt(bFrom) === 48);
  if (aZero || bZero) return aZero === bZero ? 0 : aZero ? -1 : 1;
  if (aLen !== bLen) return aLen < bLen ? -1 : 1;
  for (let i = 0; i < aLen; i++) {
    const d = a.charCodeAt(aFrom + i) - b.charCodeAt(bFrom + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
