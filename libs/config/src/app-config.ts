import { z } from 'zod';
import { envSchema } from './config.schema';

/** Typed, validated configuration: built once from the environment, then injected (token APP_CONFIG). */
export interface AppConfig {
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  prettyLogs: boolean;
  host: string;
  ports: { ingest: number; aggregator: number; gateway: number };
  /** Ingest processes sharing the port on one machine (node:cluster); 1 on Kubernetes, where replicas scale. */
  ingestProcesses: number;
  /**
   * Redis: the URL (credentials and TLS also apply to cluster nodes), the cluster's seed nodes (empty: one Redis),
   * and the write concern: a write batch counts as stored once `waitReplicas` replicas have it (WAIT), within
   * `waitTimeoutMs`.
   */
  redis: {
    url: string;
    /** Overrides a password in the URL (from a Secret; empty: the URL's, if any). A secret: never logged. */
    password: string;
    clusterNodes: { host: string; port: number }[];
    waitReplicas: number;
    waitTimeoutMs: number;
    /** No Redis command waits longer for its answer than this (a blocking read: its block time plus this). */
    commandTimeoutMs: number;
  };
  questdb: {
    httpUrl: string;
    /**
     * The Postgres-wire URL the pools connect with: QUESTDB_PG_URL with QUESTDB_PG_USER and QUESTDB_PG_PASSWORD, when
     * set, as its user and password. May carry a password: never logged.
     */
    pgUrl: string;
    /**
     * Each QuestDB writer (one per table group and process) starts its requests only on wall-clock multiples of this
     * (ms; 0 = as soon as it is idle): what its actors write in between goes as one transaction.
     */
    commitIntervalMs: number;
    /** Days of event time QuestDB keeps (a TTL, whole partitions dropped): raw archive, minute aggregates; 0 = all. */
    retention: { archiveDays: number; aggregateDays: number };
  };
  shards: { count: number };
  worker: { id: string };
  aggregation: {
    flushIntervalMs: number;
    allowedLatenessMs: number;
    /** A click's own time moves a shard's stream time at most this far past its append time (Redis's clock). */
    streamTimeMaxSkewMs: number;
    /** The invalid-click rules the shard actors judge by (0 / false: off). */
    fraud: { bots: boolean; ipMaxPerAdMinute: number; repeatMs: number; minImpressionMs: number };
    idleAdvanceMs: number;
    leaseTtlMs: number;
    /** An aggregator is unready while one of its shards has more unread entries than this. */
    readyMaxLag: number;
    readBatchSize: number;
    readBlockMs: number;
    /**
     * An owned shard whose loop completed no step for `stallReadyMs` makes the worker unready; one whose loop did not
     * even come round (a wedged await) for `stallLiveMs` fails liveness, so Kubernetes restarts the process.
     */
    stallReadyMs: number;
    stallLiveMs: number;
    /**
     * What this worker process runs: `aggregate` (shard actors, over the consistent-hash ring) and/or `archive`
     * (the raw archive copy; an archive-only process archives every shard and does not join the ring).
     */
    roles: { aggregate: boolean; archive: boolean };
  };
  intake: {
    dedupHorizonSeconds: number;
    maxFutureSkewMs: number;
    retentionMs: number;
    enqueueTimeoutMs: number;
    /** Group commit: flush at this many clicks or after this delay; refuse (503) beyond this many in flight. */
    groupCommit: { maxBatch: number; delayMs: number; maxInFlight: number };
  };
  query: {
    maxWindowMs: number;
    cacheMs: number;
    /** Memory the answer cache may hold, estimated from the answers' JSON. */
    cacheMaxBytes: number;
    /** Longest window of a query over the raw archive (ip or userId filter). */
    rawMaxWindowMs: number;
    /** Every QuestDB read fails after this long instead of holding the request. */
    timeoutMs: number;
    /**
     * Per-minute top list size for top-N without ip/userId filters (0 = off); the longest window they serve; the
     * recent minutes the gateway reads ahead of queries (0 = off), and how often.
     */
    topLists: { size: number; maxMinutes: number; warmMinutes: number; warmIntervalMs: number };
    /** Serve the GraphiQL IDE at /graphiql (development: `npm start` turns it on). */
    graphiql: boolean;
  };
  shutdownGraceMs: number;
  /** Bearer token of the admin endpoints; empty disables them. A secret: never logged. */
  admin: { token: string };
  /** How long a verified key is trusted before Redis is asked again (a revocation is also announced at once). */
  auth: { keyCacheTtlMs: number };
  /** Per-second limits, shared by all replicas through Redis; 0 = off. */
  rateLimits: { partnerEventsPerSecond: number; advertiserQueriesPerSecond: number; clientIpRequestsPerSecond: number };
  /**
   * Scheduled reconciliation (on the worker owning shard 0): how often (0 = off), over how many recent minutes, and
   * how long after a minute's close time before it is judged.
   */
  reconciliation: { intervalMs: number; windowMinutes: number; settleMarginMs: number };
  /** Hot ads: clicks/s above which an actor reports an ad, auto-salting, and how often intake reloads the table. */
  hotAds: { thresholdPerSecond: number; auto: boolean; autoSalts: number; refreshMs: number };
  /** Signed impressions: HMAC keys (the first signs, all verify) and how long a click link stays valid. */
  impressions: { keys: { id: string; secret: string }[]; ttlMs: number };
  /** Browser clicks: proxies whose X-Forwarded-For is believed, the public base of click URLs, ad cache TTL. */
  redirect: { trustedProxies: string[]; publicBaseUrl: string; adCacheTtlMs: number };
  logAgent: { port: number; globs: string[]; stateDir: string; pollMs: number; partnerId: string };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** The minute windows' length (libs/windowing; config does not depend on it). */
const WINDOW_MS = 60_000;
const DAY_MS = 86_400_000;

/** A comma-separated setting as trimmed, non-empty items. */
function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Replicas a write batch must reach (WAIT): as set, else 1 on a cluster (each master has a replica), else 0. */
function waitReplicas(setting: string, cluster: boolean): number {
  if (setting.trim() !== '') return Number(setting);
  return cluster ? 1 : 0;
}

/**
 * `url` with `user` and `password` (each only when not empty) as its credentials. node-postgres lets a connection
 * string's user and password win over separate options, so they go into the URL. Each is percent-encoded whole: the
 * WHATWG setters encode '@', ':', '/' and the like but leave '%' as it is, which pg-connection-string's
 * decodeURIComponent would then misread; encoded first, the setters keep it and the pool decodes the exact value.
 */
export function withPgCredentials(url: string, user: string, password: string): string {
  if (user === '' && password === '') return url;
  const u = new URL(url);
  if (user !== '') u.username = encodeURIComponent(user);
  if (password !== '') u.password = encodeURIComponent(password);
  return u.href;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  // A retry must meet its twin's id in Redis for as long as a window can still count either: from the earliest
  // (future-stamped) click to its window's close and final flush.
  const needMs = e.MAX_FUTURE_SKEW_MS + WINDOW_MS + e.ALLOWED_LATENESS_MS + e.FLUSH_INTERVAL_MS;
  if (e.DEDUP_HORIZON_SECONDS * 1000 < needMs) {
    throw new ConfigError([
      `DEDUP_HORIZON_SECONDS: ${e.DEDUP_HORIZON_SECONDS} s is shorter than MAX_FUTURE_SKEW_MS + one minute window + ` +
        `ALLOWED_LATENESS_MS + FLUSH_INTERVAL_MS = ${Math.ceil(needMs / 1000)} s`,
    ]);
  }
  if (e.ARCHIVE_RETENTION_DAYS !== 0 && e.ARCHIVE_RETENTION_DAYS < e.RETENTION_DAYS) {
    // A re-sent old click is recognised in the raw archive once Redis forgot its id: the archive must cover every
    // event time intake still accepts.
    throw new ConfigError([
      `ARCHIVE_RETENTION_DAYS: ${e.ARCHIVE_RETENTION_DAYS} is shorter than RETENTION_DAYS (${e.RETENTION_DAYS}), the ` +
        'oldest event time intake accepts (0 keeps the archive forever)',
    ]);
  }
  if (e.INGEST_PROCESSES > 1 && e.IMPRESSION_KEYS.trim() === '') {
    // Without shared keys each process would sign with a random key of its own and refuse the others' click links.
    throw new ConfigError(['IMPRESSION_KEYS: required when INGEST_PROCESSES > 1']);
  }
  return {
    logLevel: e.LOG_LEVEL,
    prettyLogs: e.PRETTY_LOGS,
    host: e.HOST,
    ports: { ingest: e.INGEST_PORT, aggregator: e.AGGREGATOR_PORT, gateway: e.GATEWAY_PORT },
    ingestProcesses: e.INGEST_PROCESSES,
    redis: {
      url: e.REDIS_URL,
      password: e.REDIS_PASSWORD,
      clusterNodes: list(e.REDIS_CLUSTER_NODES).map((n) => ({
        host: n.slice(0, n.lastIndexOf(':')),
        port: Number(n.slice(n.lastIndexOf(':') + 1)),
      })),
      waitReplicas: waitReplicas(e.REDIS_WAIT_REPLICAS, list(e.REDIS_CLUSTER_NODES).length > 0),
      waitTimeoutMs: e.REDIS_WAIT_TIMEOUT_MS,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    questdb: {
      httpUrl: e.QUESTDB_HTTP_URL,
      pgUrl: withPgCredentials(e.QUESTDB_PG_URL, e.QUESTDB_PG_USER, e.QUESTDB_PG_PASSWORD),
      commitIntervalMs: e.QUESTDB_COMMIT_INTERVAL_MS,
      retention: { archiveDays: e.ARCHIVE_RETENTION_DAYS, aggregateDays: e.AGGREGATE_RETENTION_DAYS },
    },
    shards: { count: e.SHARD_COUNT },
    worker: { id: e.WORKER_ID },
    aggregation: {
      flushIntervalMs: e.FLUSH_INTERVAL_MS,
      allowedLatenessMs: e.ALLOWED_LATENESS_MS,
      streamTimeMaxSkewMs: e.STREAM_TIME_MAX_SKEW_MS,
      fraud: {
        bots: e.FRAUD_BOTS,
        ipMaxPerAdMinute: e.FRAUD_IP_MAX_PER_AD_MINUTE,
        repeatMs: e.FRAUD_REPEAT_SECONDS * 1000,
        minImpressionMs: e.FRAUD_MIN_IMPRESSION_MS,
      },
      idleAdvanceMs: e.IDLE_ADVANCE_MS,
      leaseTtlMs: e.LEASE_TTL_MS,
      readyMaxLag: e.READY_MAX_LAG,
      readBatchSize: e.READ_BATCH_SIZE,
      readBlockMs: e.READ_BLOCK_MS,
      stallReadyMs: e.SHARD_STALL_READY_MS,
      stallLiveMs: e.SHARD_STALL_LIVE_MS,
      roles: {
        aggregate: list(e.AGGREGATOR_ROLES).includes('aggregate'),
        archive: list(e.AGGREGATOR_ROLES).includes('archive'),
      },
    },
    intake: {
      dedupHorizonSeconds: e.DEDUP_HORIZON_SECONDS,
      maxFutureSkewMs: e.MAX_FUTURE_SKEW_MS,
      retentionMs: e.RETENTION_DAYS * DAY_MS,
      enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS,
      groupCommit: {
        maxBatch: e.GROUP_COMMIT_MAX_BATCH,
        delayMs: e.GROUP_COMMIT_DELAY_MS,
        maxInFlight: e.INTAKE_MAX_IN_FLIGHT,
      },
    },
    query: {
      maxWindowMs: e.MAX_QUERY_DAYS * DAY_MS,
      cacheMs: e.QUERY_CACHE_MS,
      cacheMaxBytes: e.QUERY_CACHE_MAX_BYTES,
      rawMaxWindowMs: e.RAW_QUERY_MAX_HOURS * 3_600_000,
      timeoutMs: e.QUERY_TIMEOUT_MS,
      topLists: {
        size: e.TOP_LIST_SIZE,
        maxMinutes: e.TOP_LIST_MAX_MINUTES,
        warmMinutes: e.TOP_LIST_WARM_MINUTES,
        warmIntervalMs: e.TOP_LIST_WARM_INTERVAL_MS,
      },
      graphiql: e.GRAPHIQL,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    admin: { token: e.ADMIN_TOKEN },
    auth: { keyCacheTtlMs: e.KEY_CACHE_TTL_MS },
    rateLimits: {
      partnerEventsPerSecond: e.PARTNER_EVENTS_PER_SECOND,
      advertiserQueriesPerSecond: e.ADVERTISER_QUERIES_PER_SECOND,
      clientIpRequestsPerSecond: e.CLIENT_IP_REQUESTS_PER_SECOND,
    },
    reconciliation: {
      intervalMs: e.RECONCILE_INTERVAL_MS,
      windowMinutes: e.RECONCILE_WINDOW_MINUTES,
      settleMarginMs: e.RECONCILE_SETTLE_MARGIN_MS,
    },
    hotAds: {
      thresholdPerSecond: e.HOT_AD_THRESHOLD,
      auto: e.HOT_ADS_AUTO,
      autoSalts: e.HOT_AD_AUTO_SALTS,
      refreshMs: e.HOT_ADS_REFRESH_MS,
    },
    impressions: {
      keys: list(e.IMPRESSION_KEYS).map((k) => ({
        id: k.slice(0, k.indexOf(':')),
        secret: k.slice(k.indexOf(':') + 1),
      })),
      ttlMs: e.IMPRESSION_TTL_SECONDS * 1000,
    },
    redirect: {
      trustedProxies: list(e.TRUSTED_PROXIES),
      publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
      adCacheTtlMs: e.AD_CACHE_TTL_MS,
    },
    logAgent: {
      port: e.LOG_AGENT_PORT,
      globs: list(e.LOG_AGENT_GLOBS),
      stateDir: e.LOG_AGENT_STATE_DIR,
      pollMs: e.LOG_AGENT_POLL_MS,
      partnerId: e.LOG_AGENT_PARTNER_ID,
    },
  };
}
