import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { normalizeCidr } from '@clicks/fraud';
import { BlocklistEntry, BlocklistSnapshot, BlocklistStore, RedisConnection } from '@clicks/stream';

/** How often a worker reads the blocklist's version: a change reaches the streams within about this long. */
const POLL_MS = 1000;

/**
 * The operator's ip blocklist: changes from the admin endpoints, and the current list as this worker last read it,
 * which its shard actors put in-band into their streams (so a click is judged by the list in force at its position
 * in the stream, on every replay alike).
 */
@Injectable()
export class BlocklistService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(BlocklistService.name);
  private readonly store: BlocklistStore;
  private snapshot: BlocklistSnapshot | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(redis: RedisConnection) {
    this.store = redis.blocklist();
  }

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The list as last read (null before the first read succeeded). */
  current(): BlocklistSnapshot | null {
    return this.snapshot;
  }

  list(): Promise<{ version: number; entries: BlocklistEntry[] }> {
    return this.store.entries();
  }

  /** Blocks an address or range (normalized: `203.0.113.7/32`); `created` is false when it was listed already. */
  async block(input: string, note?: string): Promise<{ entry: BlocklistEntry; created: boolean }> {
    const entry: BlocklistEntry = { cidr: normalizeCidr(input), addedAt: new Date().toISOString() };
    if (note !== undefined) entry.note = note;
    const created = await this.store.put(entry);
    this.log.log(`blocklist: ${created ? 'added' : 'updated'} ${entry.cidr}`);
    await this.refresh();
    return { entry, created };
  }

  /** Unblocks a listed address or range; false when it was not listed. */
  async unblock(input: string): Promise<boolean> {
    const cidr = normalizeCidr(input);
    const removed = await this.store.remove(cidr);
    if (removed) this.log.log(`blocklist: removed ${cidr}`);
    await this.refresh();
    return removed;
  }

  private async refresh(): Promise<void> {
    try {
      this.snapshot = await this.store.snapshot();
    } catch (e) {
      // Keep the list last read: the actors go on judging by it, and take the new one once Redis answers.
      this.log.debug(`blocklist not read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
