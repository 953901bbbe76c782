import { createHash } from 'node:crypto';
import HashRing from 'hashring';

const VNODES = 160;

/** Shards are named `s0..s{n-1}`; the name is also the Redis hash tag of every key the shard owns. */
export function shardName(index: number): string {
  return `s${index}`;
}

function shardIndex(name: string): number {
  return Number(name.slice(1));
}

/** A stable 32-bit hash of a click's salt key (see `saltKeyOf`), so the same key always picks the same salt. */
export function saltFor(saltKey: string, salts: number): number {
  return createHash('md5').update(saltKey).digest().readUInt32BE(0) % salts;
}

/**
 * What a hot ad's clicks are spread by: the ip, else the user, else the event id. One ip's (or user's) clicks on
 * an ad then meet in one shard, where the invalid-click rules count them; a duplicate carries the same fields as its
 * twin, so it still meets it.
 */
export function saltKeyOf(click: { eventId: string; ip?: string; userId?: string }): string {
  if (click.ip !== undefined) return `ip:${click.ip}`;
  return click.userId !== undefined ? `user:${click.userId}` : `event:${click.eventId}`;
}

/** The key an event is placed on the ring by: the ad id, or `adId#k` for an ad spread over `salts` sub-keys. */
export function routingKey(adId: string, saltKey: string, salts = 1): string {
  return salts > 1 ? `${adId}#${saltFor(saltKey, salts)}` : adId;
}

/** Maps routing keys to ad-shards by consistent hashing (hashring, md5, virtual nodes). */
export class ShardRouter {
  private readonly ring: HashRing;

  constructor(readonly shardCount: number) {
    if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`bad shard count ${shardCount}`);
    const nodes = Array.from({ length: shardCount }, (_, i) => shardName(i));
    this.ring = new HashRing(nodes, 'md5', { 'vnode count': VNODES, 'max cache size': 100_000 });
  }

  shardFor(adId: string, saltKey: string, salts = 1): number {
    return shardIndex(this.ring.get(routingKey(adId, saltKey, salts)));
  }

  /** Every shard an ad spread over `salts` sub-keys routes to (distinct, ascending). */
  shardsOf(adId: string, salts: number): number[] {
    if (salts <= 1) return [shardIndex(this.ring.get(adId))];
    const shards = new Set<number>();
    for (let k = 0; k < salts; k++) shards.add(shardIndex(this.ring.get(`${adId}#${k}`)));
    return [...shards].sort((a, b) => a - b);
  }
}
