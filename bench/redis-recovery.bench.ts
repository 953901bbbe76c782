// Recovery after a Redis restart (issue 12): one aggregator worker owns 16 shards while clicks are appended to every
// shard stream at a steady rate; the Redis server is killed (kill -9) and restarted from its AOF on the same port.
// Measured: from Redis answering again to every shard having applied an entry appended after that moment (seen in
// the worker's /v1/admin/shards). Repeated BENCH_RECOVERY_ROUNDS times; the archive and counts are checked at the end.
// Usage: node bench/run.js redis-recovery [--quick]
// Knobs (env): BENCH_RECOVERY_ROUNDS (5; 2 with --quick), BENCH_RECOVERY_DOWN_MS (3000), BENCH_RECOVERY_RATE (2000
// clicks/s appended while Redis is up).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Redis from 'ioredis';
import { encodeClick } from '@clicks/events';
import { createPgPool, ensureSchema } from '@clicks/store';
import { streamKeys } from '@clicks/stream';
import { BenchWorkspace, freePort, sleep, startApp, waitUntil } from './support/processes';
import { BenchReport, fmtInt, fmtMs, isQuick, knob, log, quantile, runBench } from './support/report';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../scripts/lib/stack') as {
  startRedis(o: { dir: string; port: number }): Promise<{ stop(): Promise<void>; child: { kill(s: string): void } }>;
};

const QUICK = isQuick();
const ROUNDS = knob('BENCH_RECOVERY_ROUNDS', QUICK ? 2 : 5);
const DOWN_MS = knob('BENCH_RECOVERY_DOWN_MS', 3000);
const RATE = knob('BENCH_RECOVERY_RATE', 2000);
const SHARDS = 16;
const TARGET_MS = 5000;
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;

/** Appends clicks round-robin over the shard streams at RATE per second while `running`; counts what Redis took. */
class StreamLoad {
  appended = 0;
  /** Sent when the connection broke: Redis may or may not have stored them (their answer was lost). */
  uncertain = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(url: string, run: string) {
    const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    this.loop = (async () => {
      for (let i = 0; this.running; i++) {
        const pipeline = redis.pipeline();
        const batch = Math.max(1, Math.round(RATE / 20));
        for (let k = 0; k < batch; k++) {
          const n = i * batch + k;
          const click = { eventId: `${run}-${n}`, adId: `${run}-ad${n % 64}`, ts: Date.now() };
          pipeline.xadd(streamKeys.stream(n % SHARDS), '*', 'c', encodeClick(click));
        }
        const replies = (await pipeline.exec().catch((e: unknown) => [[e, null]] as [unknown, unknown][])) ?? [];
        const ok = replies.filter(([err]) => !err).length;
        this.appended += ok;
        // Refused before sending (no connection) is not uncertain: Redis never saw it.
        this.uncertain += replies.filter(
          ([err]) => err && !/writeable/.test(err instanceof Error ? err.message : ''),
        ).length;
        await sleep(50);
      }
      redis.disconnect();
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

async function main(): Promise<number> {
  const ws = new BenchWorkspace();
  const report = new BenchReport();
  try {
    const redisDir = join(ws.dir, 'redis-restarts');
    const redisPort = await freePort();
    let redis = await stack.startRedis({ dir: redisDir, port: redisPort });
    ws.onCleanup(() => redis.stop());
    const questdb = await ws.startQuestDb();
    const pool = createPgPool(questdb.pgUrl, 1);
    ws.onCleanup(() => pool.end());
    await ensureSchema(pool);
    const url = `redis://127.0.0.1:${redisPort}`;
    const port = await freePort();
    const env = {
      REDIS_URL: url,
      QUESTDB_HTTP_URL: questdb.httpUrl,
      QUESTDB_PG_URL: questdb.pgUrl,
      SHARD_COUNT: String(SHARDS),
      ADMIN_TOKEN,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AGGREGATOR_PORT: String(port),
    };
    const worker = await startApp(ws, 'aggregator', port, env);
    const run = `rec-${randomUUID().slice(0, 8)}`;
    const shardsApplyingAfter = async (since: number) => {
      const res = await fetch(`${worker.url}/v1/admin/shards`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (res.status !== 200) return false;
      const body = (await res.json()) as { shards: { local: { lastAppliedId: string } | null }[] };
      return body.shards.every((s) => s.local !== null && Number(s.local.lastAppliedId.split('-')[0]) > since);
    };
    const load = new StreamLoad(url, run);
    const recoveries: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await sleep(2000);
      redis.child.kill('SIGKILL');
      await sleep(DOWN_MS);
      redis = await stack.startRedis({ dir: redisDir, port: redisPort });
      const answering = Date.now();
      await waitUntil('every shard applying again', 60_000, () => shardsApplyingAfter(answering).catch(() => false));
      recoveries.push(Date.now() - answering);
      log(`round ${round}: every shard applying ${recoveries[recoveries.length - 1]} ms after Redis answered`);
    }
    await load.stop();
    await waitUntil('aggregates settled', 120_000, async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT sum(clicks) n FROM ad_clicks_1m WHERE ad_id LIKE $1', [
        `${run}-%`,
      ]);
      return Number(rows[0]?.n ?? 0) >= load.appended;
    });
    await sleep(3000); // anything beyond the acknowledged clicks would show now
    const { rows } = await pool.query<{ n: string }>('SELECT sum(clicks) n FROM ad_clicks_1m WHERE ad_id LIKE $1', [
      `${run}-%`,
    ]);
    recoveries.sort((a, b) => a - b);
    const p50 = quantile(recoveries, 0.5);
    const max = recoveries[recoveries.length - 1];
    report.add(
      `Redis kill -9 + restart from AOF (${DOWN_MS} ms down), Redis answering -> all ${SHARDS} shards applying: p50 / max`,
      `${fmtMs(p50)} / ${fmtMs(max)} (${ROUNDS} rounds: ${recoveries.join(', ')} ms)`,
      `<= ${TARGET_MS} ms`,
      max <= TARGET_MS,
    );
    const counted = Number(rows[0]?.n ?? 0);
    report.check(
      'every acknowledged click counted, nothing beyond what was sent',
      counted >= load.appended && counted <= load.appended + load.uncertain,
      `${fmtInt(counted)} counted; ${fmtInt(load.appended)} acknowledged by Redis, ${fmtInt(load.uncertain)} sent as it died`,
    );
  } finally {
    await ws.cleanup();
  }
  report.print(`Redis recovery, ${new Date().toISOString()}${QUICK ? ' (--quick)' : ''}: SHARD_COUNT=${SHARDS}`);
  return report.failed;
}

runBench(main);
