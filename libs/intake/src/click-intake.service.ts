import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickEvent, ClickLimits, FieldError, parseClick } from '@clicks/events';
import { saltKeyOf, ShardRouter } from '@clicks/routing';
import { ClickMetrics } from '@clicks/metrics';
import { ArchivedClickLookup } from '@clicks/store';
import { ClickStreamWriter, EnqueueOutcome, HotAdRoutes, RedisConnection } from '@clicks/stream';
import { BatchItem } from './batch-body';
import { EnqueueUnavailableError } from './intake-errors';

export type IntakeResult =
  | { status: 'accepted'; eventId: string; shard: number }
  | { status: 'duplicate'; eventId: string; shard: number }
  | { status: 'rejected'; error: FieldError };

/**
 * What a batch did: every event is accounted for as accepted, duplicate or rejected (with its index, and the field
 * and message of a problem's `errors[]`).
 */
export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: ({ index: number } & FieldError)[];
}

interface RoutedClick {
  shard: number;
  event: ClickEvent;
  /** Other shards that may hold its twin (see `route`); usually none. */
  twinShards: number[];
}

/** The one path every click takes into the system: validate, route to its shard, de-dup and append atomically. */
@Injectable()
export class ClickIntakeService {
  private readonly router: ShardRouter;
  private readonly writer: ClickStreamWriter;
  private readonly writers = new Map<number, ClickStreamWriter>();
  private readonly limits: ClickLimits;
  private readonly counters = new Map<string, { inc(n?: number): void }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
    private readonly hotAds: HotAdRoutes,
    private readonly metrics: ClickMetrics,
    private readonly archive: ArchivedClickLookup,
  ) {
    this.router = new ShardRouter(config.shards.count);
    this.writer = redis.clickStreamWriter(config.intake.dedupHorizonSeconds, config.intake.groupCommit);
    this.limits = { maxFutureSkewMs: config.intake.maxFutureSkewMs, maxAgeMs: config.intake.retentionMs };
  }

  /**
   * Resolves only once the click is stored in its shard stream (or known as a duplicate). `partnerId` (who sent it,
   * from its key) is archived with it.
   */
  async accept(input: unknown, partnerId: string, now = Date.now()): Promise<IntakeResult> {
    const parsed = parseClick(input, now, this.limits);
    if (!parsed.ok) {
      this.metrics.intakeEvents.inc({ path: 'single', outcome: 'rejected', reason: parsed.error.field });
      return { status: 'rejected', error: parsed.error };
    }
    parsed.event.partnerId = partnerId;
    const [{ outcome, shard }] = await this.store([parsed.event], 'single');
    return { status: outcome === 'appended' ? 'accepted' : 'duplicate', eventId: parsed.event.eventId, shard };
  }

  /**
   * Validates each event on its own and stores the valid ones; resolves once all of them are stored. Rejects
   * (EnqueueUnavailableError) if any could not be: the sender retries the batch and the stored ones are duplicates.
   */
  async acceptMany(items: readonly BatchItem[], partnerId: string, now = Date.now()): Promise<BatchResult> {
    const rejected: BatchResult['rejected'] = [];
    const events: ClickEvent[] = [];
    for (const item of items) {
      if ('error' in item) {
        rejected.push({ index: item.index, ...item.error });
        continue;
      }
      const parsed = parseClick(item.input, now, this.limits);
      if (parsed.ok) {
        parsed.event.partnerId = partnerId;
        events.push(parsed.event);
      } else rejected.push({ index: item.index, ...parsed.error });
    }
    if (rejected.length > 0)
      this.metrics.intakeEvents.inc({ path: 'batch', outcome: 'rejected', reason: 'batch' }, rejected.length);
    const outcomes = (await this.store(events, 'batch')).map((r) => r.outcome);
    const accepted = outcomes.filter((o) => o === 'appended').length;
    return { accepted, duplicates: outcomes.length - accepted, rejected };
  }

  /**
   * Stores already validated events (built by the server, e.g. a redirect click). `dedupHorizonSeconds` overrides
   * how long their event ids are remembered, e.g. as long as an impression's click link is valid.
   */
  async appendEvents(events: readonly ClickEvent[], dedupHorizonSeconds?: number): Promise<EnqueueOutcome[]> {
    return (await this.store(events, 'redirect', dedupHorizonSeconds)).map((r) => r.outcome);
  }

  private async store(
    events: readonly ClickEvent[],
    path: string,
    dedupHorizonSeconds?: number,
  ): Promise<{ outcome: EnqueueOutcome; shard: number }[]> {
    const started = process.hrtime.bigint();
    const writer = this.writerFor(dedupHorizonSeconds);
    const archived = await this.archivedBefore(events);
    const routed = events.map((event) => this.route(event, Date.now()));
    const toStore = archived.size > 0 ? routed.filter((r) => !archived.has(r.event)) : routed;
    const stored = await this.withTimeout(this.storeRouted(writer, toStore));
    const storedOf = new Map(toStore.map((r, i) => [r, stored[i]]));
    const results = routed.map((r) => storedOf.get(r) ?? { outcome: 'duplicate' as const, shard: r.shard });
    this.metrics.enqueueSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    let accepted = 0;
    for (const r of results) if (r.outcome === 'appended') accepted++;
    if (accepted > 0) this.counter(path, 'accepted').inc(accepted);
    if (results.length > accepted) this.counter(path, 'duplicate').inc(results.length - accepted);
    return results;
  }

  /**
   * The clicks that the raw archive already holds, among those too old for Redis's de-dup to vouch for: a click
   * re-sent more than a horizon after it was first stored has an event time at least a horizon minus the future skew
   * old. Such re-sends are rare (late retries, replayed logs), so the look-up costs nothing on the live path.
   */
  private async archivedBefore(events: readonly ClickEvent[]): Promise<Set<ClickEvent>> {
    const { dedupHorizonSeconds, maxFutureSkewMs } = this.config.intake;
    const olderThan = Date.now() - (dedupHorizonSeconds * 1000 - maxFutureSkewMs);
    const old = events.filter((e) => e.ts < olderThan);
    if (old.length === 0) return new Set();
    const found = await this.withTimeout(this.archive.archived(old), 'QuestDB');
    return new Set(old.filter((_, i) => found[i]));
  }

  /** The counter child of (path, outcome), looked up once: prom-client hashes the labels on every `inc(labels)`. */
  private counter(path: string, outcome: 'accepted' | 'duplicate') {
    const key = `${path}/${outcome}`;
    let child = this.counters.get(key);
    if (!child) {
      child = this.metrics.intakeEvents.labels({ path, outcome, reason: '' });
      this.counters.set(key, child);
    }
    return child;
  }

  /**
   * Routes by the hot-ad table (`adId#k` for a salted ad, k from the click's ip, user or event id). Two cases send a
   * twin elsewhere, so those shards are named for a de-dup check too: right after an ad's salts changed, a retry of
   * an event routed the old way; and on a salted ad, a click of an impression's link from another address than its
   * first click (it routes by its own ip), which may be on any of the ad's shards.
   */
  private route(event: ClickEvent, now: number): RoutedClick {
    const table = this.hotAds.current;
    const salts = table.saltsFor(event.adId);
    const saltKey = saltKeyOf(event);
    const shard = this.router.shardFor(event.adId, saltKey, salts);
    const previous = table.previousSalts(event.adId, now, this.config.intake.dedupHorizonSeconds * 1000);
    const twins = new Set<number>();
    if (previous !== null) twins.add(this.router.shardFor(event.adId, saltKey, previous));
    if (event.impressionId !== undefined) {
      if (salts > 1) for (const s of this.router.shardsOf(event.adId, salts)) twins.add(s);
      if (previous !== null && previous > 1) for (const s of this.router.shardsOf(event.adId, previous)) twins.add(s);
    }
    twins.delete(shard);
    return { shard, event, twinShards: [...twins] };
  }

  private async storeRouted(
    writer: ClickStreamWriter,
    routed: readonly RoutedClick[],
  ): Promise<{ outcome: EnqueueOutcome; shard: number }[]> {
    const checks = routed.filter((r) => r.twinShards.length > 0);
    if (checks.length === 0) {
      // The usual case (no recent salt change): no look-ups on old shards, every click goes to the writer.
      const appended = await writer.appendMany(routed);
      return routed.map((r, i) => ({ outcome: appended[i], shard: r.shard }));
    }
    const seenBefore = new Set<RoutedClick>();
    const items = checks.flatMap((r) => r.twinShards.map((shard) => ({ shard, eventId: r.event.eventId, r })));
    const seen = await writer.seenMany(items);
    items.forEach((item, i) => seen[i] && seenBefore.add(item.r));
    const toAppend = routed.filter((r) => !seenBefore.has(r));
    const appended = await writer.appendMany(toAppend);
    const outcomeOf = new Map(toAppend.map((r, i) => [r, appended[i]]));
    return routed.map((r) => ({ outcome: outcomeOf.get(r) ?? 'duplicate', shard: r.shard }));
  }

  private writerFor(horizonSeconds: number | undefined): ClickStreamWriter {
    if (horizonSeconds === undefined || horizonSeconds === this.config.intake.dedupHorizonSeconds) return this.writer;
    let w = this.writers.get(horizonSeconds);
    if (!w) {
      w = this.redis.clickStreamWriter(horizonSeconds, this.config.intake.groupCommit);
      this.writers.set(horizonSeconds, w);
    }
    return w;
  }

  /** Clicks waiting for Redis (readiness turns false when the buffer is full). */
  get inFlight(): number {
    let n = this.writer.inFlight;
    for (const w of this.writers.values()) n += w.inFlight;
    return n;
  }

  private async withTimeout<T>(p: Promise<T>, store = 'Redis'): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EnqueueUnavailableError(`${store} did not answer in time`)),
        this.config.intake.enqueueTimeoutMs,
      );
    });
    try {
      return await Promise.race([p, timeout]);
    } catch (e) {
      this.metrics.unavailable.inc();
      throw e instanceof EnqueueUnavailableError
        ? e
        : new EnqueueUnavailableError(e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
  }
}
