import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { assignShards } from '@clicks/routing';
import { AggregateWriter, applyRetention, ensureSchema, QuestDbConnection, RawArchiveWriter } from '@clicks/store';
import { RedisConnection, WorkerRegistry } from '@clicks/stream';
import { BlocklistService } from './blocklist.service';
import { ShardHost, WorkerWriters } from './shard-host';
import { ShardStats } from './shard-stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WorkerView {
  workerId: string;
  liveWorkers: string[];
  drainedWorkers: string[];
  ownedShards: number[];
}

/**
 * Decides which shards this worker hosts: workers heartbeat into Redis, and shards are spread over the live,
 * undrained workers by consistent hashing, so a worker joining or leaving moves only its share. Hosting a shard
 * means running its actors; the lease (with its fencing epoch) decides who actually writes.
 */
@Injectable()
export class ShardSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ShardSupervisor.name);
  private readonly hosts = new Map<number, ShardHost>();
  private readonly registry: WorkerRegistry;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private schemaReady = false;
  private wake: (() => void) | null = null;
  private view: WorkerView;
  private writers: WorkerWriters | null = null;
  /** Lease owner name: unique per process, so a restarted worker never inherits its dead predecessor's epoch. */
  private readonly instance: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnection,
    private readonly questdb: QuestDbConnection,
    private readonly metrics: ClickMetrics,
    private readonly blocklist: BlocklistService,
  ) {
    this.registry = redis.workerRegistry();
    this.instance = `${config.worker.id}/${randomUUID().slice(0, 8)}`;
    this.view = { workerId: config.worker.id, liveWorkers: [], drainedWorkers: [], ownedShards: [] };
  }

  onApplicationBootstrap(): void {
    // Dependencies may come up later than we do: keep trying in the background; readiness says false meanwhile.
    this.loop = this.run();
  }

  /**
   * Ready once the schema exists and this worker owns (holds the lease of) every shard assigned to it; an
   * archive-only worker once it archives every shard.
   */
  get ready(): boolean {
    if (!this.schemaReady) return false;
    if (!this.config.aggregation.roles.aggregate) return this.hosts.size === this.config.shards.count;
    return this.view.liveWorkers.length > 0 && [...this.hosts.values()].every((h) => h.owned);
  }

  /** Shards whose actor completed no step within SHARD_STALL_READY_MS: the worker is not ready while any is. */
  stalledShards(now = Date.now()): number[] {
    const limit = this.config.aggregation.stallReadyMs;
    return [...this.hosts].filter(([, h]) => h.progressAge(now).step > limit).map(([s]) => s);
  }

  /**
   * Shards whose loop did not come round at all within SHARD_STALL_LIVE_MS: an await that never settles. Liveness
   * fails, so Kubernetes restarts the process (a loop that keeps failing is not wedged: a restart would not help).
   */
  wedgedShards(now = Date.now()): number[] {
    const limit = this.config.aggregation.stallLiveMs;
    return [...this.hosts].filter(([, h]) => h.progressAge(now).loop > limit).map(([s]) => s);
  }

  get workers(): WorkerView {
    return this.view;
  }

  stats(): ShardStats[] {
    return [...this.hosts.values()].map((h) => h.stats()).filter((s) => s !== null);
  }

  /** Raw clicks archived by this process since it started, over all its shards. */
  get archived(): number {
    return [...this.hosts.values()].reduce((n, h) => n + h.archived, 0);
  }

  /** Recompute the assignment now instead of at the next heartbeat. */
  rebalanceNow(): void {
    this.wake?.();
  }

  drain(workerId: string): Promise<void> {
    return this.registry.drain(workerId).then(() => this.rebalanceNow());
  }

  undrain(workerId: string): Promise<void> {
    return this.registry.undrain(workerId).then(() => this.rebalanceNow());
  }

  private async run(): Promise<void> {
    await this.waitForSchema();
    if (this.stopping) return;
    const writers = await this.connectWriters();
    if (!writers) return;
    if (!this.config.aggregation.roles.aggregate) return this.archiveEveryShard(writers);
    const interval = Math.max(200, Math.floor(this.config.aggregation.leaseTtlMs / 4));
    while (!this.stopping) {
      try {
        await this.reconcile(writers);
      } catch (e) {
        this.log.warn(`membership update failed: ${String(e)}`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, interval);
      });
    }
  }

  /** The process's QuestDB writers, shared by all its actors; null if stopped first. */
  private async connectWriters(): Promise<WorkerWriters | null> {
    const q = this.config.questdb.httpUrl;
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        // The aggregate writer's timeout bounds how late a paused owner's write can land (see ShardActor.flush).
        const commitIntervalMs = this.config.questdb.commitIntervalMs;
        const [aggregates, raw] = await Promise.all([
          AggregateWriter.connect(q, Math.floor(this.config.aggregation.leaseTtlMs / 2), commitIntervalMs),
          RawArchiveWriter.connect(q, commitIntervalMs),
        ]);
        aggregates.onWrite = (outcome) => this.metrics.questdbWrites.inc({ writer: 'aggregates', outcome });
        raw.onWrite = (outcome) => this.metrics.questdbWrites.inc({ writer: 'raw', outcome });
        this.writers = { aggregates, raw };
        return this.writers;
      } catch (e) {
        if (attempt % 10 === 1) this.log.warn(`cannot create the QuestDB writers: ${String(e)}`);
        await sleep(500);
      }
    }
    return null;
  }

  private async waitForSchema(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await ensureSchema(this.questdb.pool);
        await applyRetention(this.questdb.pool, this.config.questdb.retention);
        this.schemaReady = true;
        return;
      } catch (e) {
        if (attempt % 10 === 1) this.log.warn(`waiting for QuestDB to create the schema: ${String(e)}`);
        await sleep(500);
      }
    }
  }

  private async reconcile(writers: WorkerWriters): Promise<void> {
    const me = this.config.worker.id;
    const live = await this.registry.heartbeat(me, this.config.aggregation.leaseTtlMs);
    const drained = await this.registry.drained();
    const eligible = live.filter((w) => !drained.includes(w));
    const desired = new Set(
      assignShards(eligible.length > 0 ? eligible : live, this.config.shards.count).get(me) ?? [],
    );
    this.view = {
      workerId: me,
      liveWorkers: live,
      drainedWorkers: drained,
      ownedShards: [...desired].sort((a, b) => a - b),
    };
    const leaving = [...this.hosts.keys()].filter((s) => !desired.has(s));
    await Promise.all(leaving.map((s) => this.release(s)));
    for (const shard of desired) {
      if (!this.hosts.has(shard)) this.hosts.set(shard, this.host(shard, writers));
    }
  }

  private host(shard: number, writers: WorkerWriters): ShardHost {
    const roles = this.config.aggregation.roles;
    const blocklist = () => this.blocklist.current();
    return ShardHost.start(shard, this.config, this.redis, this.instance, this.metrics, writers, roles, blocklist);
  }

  /**
   * An archive-only process stays out of the ring and archives every shard: the archive sink is idempotent
   * (DEDUP on ts, event_id) and needs no lease, so several such processes may share each shard's archive group.
   */
  private archiveEveryShard(writers: WorkerWriters): void {
    for (let shard = 0; shard < this.config.shards.count; shard++) this.hosts.set(shard, this.host(shard, writers));
    this.log.log(`archiving all ${this.config.shards.count} shards (archive-only worker)`);
  }

  private async release(shard: number): Promise<void> {
    const host = this.hosts.get(shard);
    this.hosts.delete(shard);
    await host?.stop();
    this.log.log(`released shard s${shard}`);
  }

  /** SIGTERM: leave the membership first so others rebalance at once, then hand every shard off. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    if (this.config.aggregation.roles.aggregate)
      await this.registry.leave(this.config.worker.id).catch(() => undefined);
    await Promise.all([...this.hosts.keys()].map((s) => this.release(s)));
    await Promise.all([this.writers?.aggregates.close(), this.writers?.raw.close()]);
  }
}
