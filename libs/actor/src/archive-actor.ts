import { Logger } from '@nestjs/common';
import { decodeClick, MalformedEntryError, UNKNOWN_COUNTRY } from '@clicks/events';
import { shardName } from '@clicks/routing';
import { RawArchiveWriter, RawClickRow } from '@clicks/store';
import { ShardEntry, ShardStream } from '@clicks/stream';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Archive writes of one shard in flight at once: the next batch is read while earlier ones wait for their QuestDB
 * commit slot, so a shard's archive rate is not one batch per slot (docs/benchmarks.md, "Archive writes in flight").
 */
const WRITES_IN_FLIGHT = 4;

/** Up to `max` writes in flight; `add` waits for the oldest once full, and throws the first failure seen. */
class WriteWindow {
  private readonly writes: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  constructor(private readonly max: number) {}

  async add(write: Promise<void>): Promise<void> {
    this.writes.push(write.catch((error: unknown) => void (this.failure ??= { error })));
    if (this.writes.length >= this.max) await this.writes.shift();
    this.throwIfFailed();
  }

  /** Waits for every write in flight; throws the first failure seen. */
  async drain(): Promise<void> {
    await Promise.all(this.writes.splice(0));
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    const failed = this.failure;
    this.failure = null;
    if (failed) throw failed.error;
  }
}

export interface ArchiveStats {
  archived: number;
  malformed: number;
  errors: number;
}

/**
 * Copies every click of a shard stream into `clicks_raw` through the second consumer group. The table de-duplicates
 * on (ts, event_id), so re-delivery after a crash is harmless: entries are XACKed only after QuestDB accepted them.
 * Several batches may be in flight (acknowledged in any order); after a failure every write in flight settles
 * before the pending entries, all those not acknowledged, are read again.
 */
export class ArchiveActor {
  private readonly log: Logger;
  private stopping = false;
  private loop: Promise<void> | null = null;
  readonly stats: ArchiveStats = { archived: 0, malformed: 0, errors: 0 };

  constructor(
    readonly shard: number,
    private readonly stream: ShardStream,
    private readonly writer: RawArchiveWriter,
    private readonly batchSize: number,
    private readonly blockMs: number,
  ) {
    this.log = new Logger(`ArchiveActor ${shardName(shard)}`);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    let recovered = false;
    const writes = new WriteWindow(WRITES_IN_FLIGHT);
    while (!this.stopping) {
      try {
        if (!recovered) {
          await this.stream.ensureGroup();
          await this.drainPending();
          recovered = true;
        }
        await writes.add(this.archive(await this.stream.readNew(this.batchSize, this.blockMs)));
        backoff = 100;
      } catch (e) {
        this.stats.errors++;
        await writes.drain().catch(() => undefined);
        recovered = false; // re-read what was delivered but not acknowledged
        this.log.warn(`archive step failed (retrying in ${backoff} ms): ${String(e)}`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
    await writes.drain().catch(() => undefined);
  }

  private async drainPending(): Promise<void> {
    for (let after = '0-0'; ;) {
      const entries = await this.stream.readPending(after, this.batchSize);
      if (entries.length === 0) return;
      await this.archive(entries);
      after = entries[entries.length - 1].id;
    }
  }

  private async archive(entries: readonly ShardEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows: RawClickRow[] = [];
    const shard = shardName(this.shard);
    for (const entry of entries) {
      if (!('click' in entry)) continue;
      try {
        const e = decodeClick(entry.id, entry.click);
        rows.push({
          ts: e.ts,
          eventId: e.eventId,
          adId: e.adId,
          shard,
          country: e.country ?? UNKNOWN_COUNTRY,
          userId: e.userId,
          ip: e.ip,
          impressionId: e.impressionId,
          userAgent: e.userAgent,
          partnerId: e.partnerId,
        });
      } catch (err) {
        if (!(err instanceof MalformedEntryError)) throw err;
        this.stats.malformed++;
      }
    }
    await this.writer.write(rows);
    await this.stream.ack(entries.map((e) => e.id));
    this.stats.archived += rows.length;
  }
}
