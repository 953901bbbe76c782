import { hostname } from 'node:os';
import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** Every environment variable the system reads, with its default. README and config/*.env list the same names. */
export const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  HOST: z.string().min(1).default('0.0.0.0'),
  INGEST_PORT: int(3001, 1),
  AGGREGATOR_PORT: int(3002, 1),
  GATEWAY_PORT: int(3000, 1),
  INGEST_PROCESSES: int(1, 1),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  REDIS_PASSWORD: z.string().default(''),
  // Redis Cluster (issue 6): seed nodes "host:port,host:port" (empty: REDIS_URL is a single Redis), and how many
  // replicas must have a write batch before ingest answers 2xx (empty: 1 with a cluster, 0 without).
  REDIS_CLUSTER_NODES: z
    .string()
    .default('')
    .refine(
      (s) => /^\s*$|^\s*[A-Za-z0-9.-]+:\d{1,5}\s*(,\s*[A-Za-z0-9.-]+:\d{1,5}\s*)*$/.test(s),
      'a comma-separated list of host:port seed nodes',
    ),
  REDIS_WAIT_REPLICAS: z
    .string()
    .default('')
    .refine((s) => /^\s*\d{0,2}\s*$/.test(s), 'a number of replicas (0-99), or empty for the default'),
  REDIS_WAIT_TIMEOUT_MS: int(1000, 1),
  REDIS_COMMAND_TIMEOUT_MS: int(3000, 100),
  QUESTDB_HTTP_URL: z.url().default('http://127.0.0.1:9000'),
  QUESTDB_PG_URL: z.url().default('postgresql://admin:quest@127.0.0.1:8812/qdb'),
  // QuestDB's Postgres-wire account, read on its own (from a Secret on Kubernetes): replaces the URL's user/password.
  QUESTDB_PG_USER: z.string().default(''),
  QUESTDB_PG_PASSWORD: z.string().default(''),
  QUESTDB_COMMIT_INTERVAL_MS: int(250, 0),
  SHARD_COUNT: int(16, 1),
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default(hostname()),
  FLUSH_INTERVAL_MS: int(500, 10),
  ALLOWED_LATENESS_MS: int(5 * 60_000),
  STREAM_TIME_MAX_SKEW_MS: int(5000),
  // Invalid-click rules (issue 15): 0 (or false) turns one off.
  FRAUD_BOTS: bool(true),
  FRAUD_IP_MAX_PER_AD_MINUTE: int(20),
  FRAUD_REPEAT_SECONDS: int(10),
  FRAUD_MIN_IMPRESSION_MS: int(300),
  IDLE_ADVANCE_MS: int(10_000, 100),
  LEASE_TTL_MS: int(10_000, 1000),
  READY_MAX_LAG: int(1_000_000, 0),
  READ_BATCH_SIZE: int(2000, 1),
  READ_BLOCK_MS: int(200, 1),
  SHARD_STALL_READY_MS: int(10_000, 1000),
  SHARD_STALL_LIVE_MS: int(60_000, 1000),
  AGGREGATOR_ROLES: z
    .string()
    .default('aggregate,archive')
    .refine(
      (s) => /^\s*(aggregate|archive)\s*(,\s*(aggregate|archive)\s*)?$/.test(s),
      'aggregate, archive, or both comma-separated',
    ),
  DEDUP_HORIZON_SECONDS: int(15 * 60, 1),
  MAX_FUTURE_SKEW_MS: int(5 * 60_000),
  RETENTION_DAYS: int(31, 1),
  ARCHIVE_RETENTION_DAYS: int(31, 0),
  AGGREGATE_RETENTION_DAYS: int(400, 0),
  MAX_QUERY_DAYS: int(31, 1),
  QUERY_CACHE_MS: int(100, 0),
  TOP_LIST_SIZE: z.coerce.number().int().min(0).max(9999).default(1000),
  TOP_LIST_MAX_MINUTES: int(180, 1),
  TOP_LIST_WARM_MINUTES: int(60, 0),
  TOP_LIST_WARM_INTERVAL_MS: int(30_000, 100),
  GRAPHIQL: bool(false),
  SHUTDOWN_GRACE_MS: int(20_000, 0),
  ENQUEUE_TIMEOUT_MS: int(2000, 1),
  GROUP_COMMIT_MAX_BATCH: int(2000, 1),
  GROUP_COMMIT_DELAY_MS: int(1, 0),
  INTAKE_MAX_IN_FLIGHT: int(50_000, 1),
  PRETTY_LOGS: bool(false),
  ADMIN_TOKEN: z.string().default(''),
  // Accounts and abuse limits (issue 14).
  KEY_CACHE_TTL_MS: int(2000, 0),
  PARTNER_EVENTS_PER_SECOND: int(100_000, 0),
  ADVERTISER_QUERIES_PER_SECOND: int(50, 0),
  CLIENT_IP_REQUESTS_PER_SECOND: int(100, 0),
  RAW_QUERY_MAX_HOURS: int(24, 1),
  QUERY_TIMEOUT_MS: int(5000, 100),
  QUERY_CACHE_MAX_BYTES: int(64 * 1024 * 1024, 0),
  LOG_AGENT_PARTNER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('log-agent'),
  RECONCILE_INTERVAL_MS: int(300_000, 0),
  RECONCILE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  RECONCILE_SETTLE_MARGIN_MS: int(30_000, 0),
  HOT_AD_THRESHOLD: int(1000, 1),
  HOT_ADS_AUTO: bool(false),
  HOT_AD_AUTO_SALTS: int(8, 2),
  HOT_ADS_REFRESH_MS: int(1000, 100),
  // Click intake paths (issue 3): signed impressions, redirect, trusted proxies, ad registry cache, log agent.
  IMPRESSION_KEYS: z
    .string()
    .default('')
    .refine(
      (s) => /^\s*$|^[A-Za-z0-9_-]{1,32}:[^,\s]{16,}(,[A-Za-z0-9_-]{1,32}:[^,\s]{16,})*$/.test(s),
      'id:secret[,id:secret...] (first signs; ids [A-Za-z0-9_-]{1,32}; secrets of 16+ characters)',
    ),
  IMPRESSION_TTL_SECONDS: int(3600, 1),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .refine(
      (s) => s.split(',').every((p) => p.trim() === '' || /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(p.trim())),
      'a comma-separated list of IP addresses or CIDR ranges',
    ),
  PUBLIC_BASE_URL: z.union([z.literal(''), z.url()]).default(''),
  AD_CACHE_TTL_MS: int(30_000, 0),
  LOG_AGENT_PORT: int(3003, 1),
  LOG_AGENT_GLOBS: z.string().default(''),
  LOG_AGENT_STATE_DIR: z.string().min(1).default('.data/log-agent'),
  LOG_AGENT_POLL_MS: int(250, 10),
});

export type Env = z.infer<typeof envSchema>;
