import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HttpMetrics } from './http-metrics';

/**
 * Every metric the apps export, named by Prometheus conventions (counters end in _total, times in _seconds, points in
 * time in _timestamp_seconds; docs/monitoring.md lists them and what they were called before). Labels are bounded
 * sets (outcome, reason, shard, kind): never an ad id or an ip.
 * One registry per app instance, so in-process tests never share counters.
 */
export class ClickMetrics {
  readonly registry = new Registry();

  /** Every app's HTTP requests (recorded by the server's onResponse hook). */
  readonly http = new HttpMetrics(this.registry);

  readonly intakeEvents = new Counter({
    name: 'clicks_intake_events_total',
    help: 'Clicks received by intake, by path and outcome (accepted, duplicate, rejected) and rejection reason (field)',
    labelNames: ['path', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly enqueueSeconds = new Histogram({
    name: 'clicks_enqueue_duration_seconds',
    help: 'Time from receiving a click to it being stored in its shard stream',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly unavailable = new Counter({
    name: 'clicks_intake_unavailable_total',
    help: 'Requests answered 503 because Redis could not store the click in time',
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'clicks_auth_failures_total',
    help: 'Requests refused for their credentials, by code (missing_key, malformed_key, unknown_key, revoked_key, wrong_key_kind)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'clicks_rate_limited_total',
    help: 'Requests answered 429, by limit (partner_events, advertiser_queries, client_ip); none of their clicks was stored',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  /** Per-shard state, one gauge per quantity (a gauge mixing units under a label cannot be summed or compared). */
  readonly shardStreamEntries = this.shardGauge('clicks_shard_stream_entries', 'Entries in the shard stream (XLEN)');
  readonly shardLagEntries = this.shardGauge(
    'clicks_shard_lag_entries',
    'Entries of the shard stream not yet read by the aggregate consumer group',
  );
  readonly shardPendingEntries = this.shardGauge(
    'clicks_shard_pending_entries',
    'Entries the aggregate group read but has not acknowledged yet (acknowledged once flushed and checkpointed)',
  );
  readonly shardArchiveLagEntries = this.shardGauge(
    'clicks_shard_archive_lag_entries',
    'Entries of the shard stream not yet read by the archive consumer group',
  );
  readonly shardUnflushedAge = this.shardGauge(
    'clicks_shard_unflushed_age_seconds',
    "Age of the oldest entry the aggregate group has not acknowledged (read or not; 0 when none): how far behind the shard's counts in QuestDB can be",
  );
  readonly shardOwned = this.shardGauge(
    'clicks_shard_owned',
    "Whether this worker holds the shard's lease (1) or not (0); every worker reports every shard",
  );
  readonly shardWatermarkDelay = this.shardGauge(
    'clicks_shard_watermark_delay_seconds',
    'Now minus the observed stream time of the shard actor this worker hosts',
  );
  readonly shardOpenWindows = this.shardGauge(
    'clicks_shard_open_windows',
    'Minute windows the shard actor this worker hosts holds open',
  );
  readonly shardCheckpointCells = this.shardGauge(
    'clicks_shard_checkpoint_cells',
    'State cells the last checkpoint of the shard actor this worker hosts wrote',
  );

  readonly shardProgress = new Gauge({
    name: 'clicks_shard_step_completed_timestamp_seconds',
    help: 'When the shard actor last completed a step of its loop (a stalled loop stops moving it)',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });

  readonly shardLastApplied = new Gauge({
    name: 'clicks_shard_last_applied_entry_timestamp_seconds',
    help: 'Append time (stream entry id) of the last entry the shard actor applied',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });

  readonly shardTrimFloorAge = new Gauge({
    name: 'clicks_shard_trim_floor_age_seconds',
    help: 'Age of the oldest entry some consumer group still needs (the stream cannot be trimmed below it)',
    labelNames: ['shard'] as const,
    registers: [this.registry],
  });

  readonly redisMemoryUsed = new Gauge({
    name: 'clicks_redis_memory_used_bytes',
    help: 'Memory Redis uses (INFO memory used_memory; the master the aggregator is connected to)',
    registers: [this.registry],
  });

  readonly redisMemoryMax = new Gauge({
    name: 'clicks_redis_memory_max_bytes',
    help: 'Redis maxmemory (0 = no limit: configure one with noeviction, or Redis is OOM-killed when it fills)',
    registers: [this.registry],
  });

  readonly shardEvents = new Counter({
    name: 'clicks_shard_events_total',
    help: 'Stream entries handled by this worker per shard since start, by outcome (applied, invalid, late, malformed, trimmed, recovered_pending, archived; clamped: applied clicks stamped ahead of their append time by more than STREAM_TIME_MAX_SKEW_MS)',
    labelNames: ['shard', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly shardInvalidClicks = new Counter({
    name: 'clicks_shard_invalid_clicks_total',
    help: 'Invalid (not billable) clicks judged by this worker per shard since start, by reason (blocked_ip, bot, too_fast, ip_rate, repeat_user; late ones included)',
    labelNames: ['shard', 'reason'] as const,
    registers: [this.registry],
  });

  readonly flushSeconds = new Histogram({
    name: 'clicks_flush_duration_seconds',
    help: 'Duration of an actor flush: QuestDB upsert plus fenced checkpoint',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly questdbWrites = new Counter({
    name: 'clicks_questdb_writes_total',
    help: 'Writes of the shard and archive actors to QuestDB by writer (aggregates, raw) and outcome (ok, error); a failed one is retried',
    labelNames: ['writer', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly flushRows = new Counter({
    name: 'clicks_flush_rows_total',
    help: 'Minute-aggregate rows upserted to QuestDB',
    registers: [this.registry],
  });

  readonly querySeconds = new Histogram({
    name: 'clicks_query_duration_seconds',
    help: 'Gateway query latency by kind (ad_clicks, top_ads) and source (cache, questdb, top_lists)',
    labelNames: ['kind', 'source'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly topListsCached = new Gauge({
    name: 'clicks_top_lists_cached',
    help: 'Per-minute top lists the gateway holds in memory (over all scopes: all countries, or one)',
    registers: [this.registry],
  });

  readonly reconciliationWindows = new Gauge({
    name: 'clicks_reconciliation_windows',
    help: 'Minute windows of the last scheduled reconciliation by status (match, mismatch, pending, unverifiable)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly reconciliationUnaccounted = new Gauge({
    name: 'clicks_reconciliation_unaccounted_clicks',
    help: 'Clicks the last scheduled reconciliation could not account for (|archived - counted - late|), by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly reconciliationQuestdbBehind = new Gauge({
    name: 'clicks_reconciliation_questdb_behind',
    help: 'Tables QuestDB had not applied (or had suspended) when the last scheduled reconciliation tried to confirm a mismatch (1 = behind); its mismatches stay pending',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });

  readonly reconciliationRuns = new Counter({
    name: 'clicks_reconciliation_runs_total',
    help: 'Scheduled reconciliations run by this worker, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly reconciliationLastSuccess = new Gauge({
    name: 'clicks_reconciliation_last_success_timestamp_seconds',
    help: 'Unix time of the last scheduled reconciliation that completed',
    registers: [this.registry],
  });

  private shardGauge(name: string, help: string): Gauge<'shard'> {
    return new Gauge({ name, help, labelNames: ['shard'] as const, registers: [this.registry] });
  }

  private readonly scrapeHooks: (() => Promise<void>)[] = [];

  /** Gauges that mirror other state (stream lag, actor counters) are refreshed by hooks right before a scrape. */
  beforeScrape(hook: () => Promise<void>): void {
    this.scrapeHooks.push(hook);
  }

  async scrape(): Promise<string> {
    await Promise.all(this.scrapeHooks.map((h) => h().catch(() => undefined)));
    return this.registry.metrics();
  }

  constructor(app: string) {
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry });
  }
}
