import { ClicksRedis } from './redis-client';
import { CONTROL_KEYS } from './stream-keys';

/** One blocked address or range as the operator entered it. */
export interface BlocklistEntry {
  cidr: string;
  addedAt: string;
  note?: string;
}

/** The blocklist at one version: what the shard actors put in-band into their streams. */
export interface BlocklistSnapshot {
  version: number;
  cidrs: string[];
}

/** Sets a field and bumps the version in one step, only when something changed. Returns 1 when it did. */
const PUT = `local added = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if added == 1 then redis.call('INCR', KEYS[2]) end
return added`;
const REMOVE = `local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if removed == 1 then redis.call('INCR', KEYS[2]) end
return removed`;

/**
 * The operator's ip blocklist in Redis: a hash of normalized CIDR -> entry, and a version that every change bumps
 * (both in one slot, changed together by one script). Callers validate and normalize the CIDRs.
 */
export class BlocklistStore {
  constructor(private readonly redis: ClicksRedis) {}

  /** Adds (or re-notes) a range; true when it was not listed before. */
  async put(entry: BlocklistEntry): Promise<boolean> {
    const { blocklist, blocklistVersion } = CONTROL_KEYS;
    const added = await this.redis.eval(PUT, 2, blocklist, blocklistVersion, entry.cidr, JSON.stringify(entry));
    return added === 1;
  }

  /** Removes a range; false when it was not listed. */
  async remove(cidr: string): Promise<boolean> {
    const { blocklist, blocklistVersion } = CONTROL_KEYS;
    return (await this.redis.eval(REMOVE, 2, blocklist, blocklistVersion, cidr)) === 1;
  }

  async entries(): Promise<{ version: number; entries: BlocklistEntry[] }> {
    const [version, raw] = await Promise.all([
      this.redis.get(CONTROL_KEYS.blocklistVersion),
      this.redis.hgetall(CONTROL_KEYS.blocklist),
    ]);
    const entries = Object.values(raw).map((json) => JSON.parse(json) as BlocklistEntry);
    return { version: Number(version ?? 0), entries: entries.sort((a, b) => a.cidr.localeCompare(b.cidr)) };
  }

  /** The list and its version as of one moment (one MULTI on the slot). */
  async snapshot(): Promise<BlocklistSnapshot> {
    const replies = await this.redis.multi().get(CONTROL_KEYS.blocklistVersion).hkeys(CONTROL_KEYS.blocklist).exec();
    if (!replies) throw new Error('blocklist MULTI aborted');
    const [[e1, version], [e2, cidrs]] = replies;
    const failed = e1 ?? e2;
    if (failed) throw failed;
    return { version: Number(version ?? 0), cidrs: ((cidrs as string[] | null) ?? []).sort() };
  }
}
