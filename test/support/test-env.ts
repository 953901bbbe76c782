import { randomUUID } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { AppConfig, loadConfig } from '@clicks/config';
import { listen } from '@clicks/server';

/** The admin token of every app under test; postJson and getJson send it unless told otherwise. */
export const TEST_ADMIN_TOKEN = 'test-admin-token';
export const adminAuth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** Environment for apps under test: the servers started by the jest global setup, fast flushes. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const need = (k: string) => {
    const v = process.env[k];
    if (!v) throw new Error(`${k} is not set: integration tests run through jest's global setup`);
    return v;
  };
  return {
    REDIS_URL: need('TEST_REDIS_URL'),
    QUESTDB_HTTP_URL: need('TEST_QUESTDB_HTTP_URL'),
    QUESTDB_PG_URL: need('TEST_QUESTDB_PG_URL'),
    LOG_LEVEL: 'warn',
    FLUSH_INTERVAL_MS: '200',
    READ_BLOCK_MS: '50',
    SHARD_COUNT: '4',
    HOST: '127.0.0.1',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    // Tests share one QuestDB and write rows years in the past; retention has a test (and a QuestDB) of its own.
    ARCHIVE_RETENTION_DAYS: '0',
    AGGREGATE_RETENTION_DAYS: '0',
    // Many redirects come from 127.0.0.1 in tests; the per-address limit has a test of its own.
    CLIENT_IP_REQUESTS_PER_SECOND: '0',
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(overrides));
}

/** A unique prefix, so tests sharing one QuestDB never see each other's ads. */
export function runId(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

/** Empties Redis: the one at `url`, or every master of the cluster the seed nodes belong to. */
export async function resetRedis(
  url: string,
  clusterNodes: readonly { host: string; port: number }[] = [],
): Promise<void> {
  if (clusterNodes.length === 0) {
    const r = new Redis(url);
    await r.flushall();
    await r.quit();
    return;
  }
  const cluster = new Redis.Cluster([...clusterNodes]);
  try {
    await new Promise<void>((resolve, reject) => {
      cluster.once('ready', resolve);
      cluster.once('error', reject);
    });
    await Promise.all(cluster.nodes('master').map((m) => m.flushall()));
  } finally {
    cluster.disconnect();
  }
}

/** Starts an app on a free port and, unless told otherwise, waits until it is ready (as a load balancer would). */
export async function startApp(
  create: Promise<NestFastifyApplication>,
  { waitReady = true }: { waitReady?: boolean } = {},
): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await create;
  const url = (await listen(app, 0, '127.0.0.1')).replace('[::1]', '127.0.0.1');
  if (waitReady) {
    await eventually(
      () => fetch(`${url}/health/ready`).then((r) => r.status),
      (s) => s === 200,
    );
  }
  return { app, url };
}

/** Polls until `probe` returns true; fails with the last observed value after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe().catch(() => undefined as T);
    if (last !== undefined && ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

/** POSTs JSON with the admin token, or with `authorization` as given (null: none). */
export async function postJson(
  url: string,
  body: unknown,
  authorization: string | null = adminAuth.authorization,
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== null) headers.authorization = authorization;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** GETs JSON with the admin token, or with `authorization` as given (null: none). */
export async function getJson(
  url: string,
  authorization: string | null = adminAuth.authorization,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, authorization === null ? {} : { headers: { authorization } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
