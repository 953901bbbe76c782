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
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  QUESTDB_HTTP_URL: z.url().default('http://127.0.0.1:9000'),
  QUESTDB_PG_URL: z.url().default('postgresql://admin:quest@127.0.0.1:8812/qdb'),
  SHARD_COUNT: int(16, 1),
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default(hostname()),
  FLUSH_INTERVAL_MS: int(1000, 10),
  ALLOWED_LATENESS_MS: int(5 * 60_000),
  IDLE_ADVANCE_MS: int(10_000, 100),
  LEASE_TTL_MS: int(10_000, 1000),
  READ_BATCH_SIZE: int(2000, 1),
  READ_BLOCK_MS: int(200, 1),
  DEDUP_HORIZON_SECONDS: int(15 * 60, 1),
  MAX_FUTURE_SKEW_MS: int(5 * 60_000),
  RETENTION_DAYS: int(31, 1),
  MAX_QUERY_DAYS: int(31, 1),
  SHUTDOWN_GRACE_MS: int(20_000, 0),
  ENQUEUE_TIMEOUT_MS: int(2000, 1),
  PRETTY_LOGS: bool(false),
});

export type Env = z.infer<typeof envSchema>;
