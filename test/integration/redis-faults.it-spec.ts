import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { ShardRouter } from '@clicks/routing';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { ClickProducer, settledCounts } from '../support/ground-truth';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { adminAuth, eventually, runId, startApp, testConfig } from '../support/test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startRedis(o: { dir: string; port: number }): Promise<{ stop(): Promise<void>; child: { kill(s: string): void } }>;
};

const SHARDS = 4;
const TOKEN = 'test-admin-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LocalShard {
  shard: number;
  epoch: number;
  lastAppliedId: string;
}

/** One ad per shard, so that every shard has entries to apply while the producer runs. */
function adsCoveringEveryShard(run: string): string[] {
  const router = new ShardRouter(SHARDS);
  const byShard = new Map<number, string>();
  for (let i = 0; byShard.size < SHARDS; i++) {
    const ad = `${run}-ad${i}`;
    const shard = router.shardFor(ad, 'any');
    if (!byShard.has(shard)) byShard.set(shard, ad);
  }
  return [...byShard.values()];
}

/**
 * Faults of the Redis server itself under aggregator load: its own redis-server (AOF, appendfsync always) that the
 * test kills, the aggregator as a real process, ingest in-process, a producer that retries on 503.
 */
describe('aggregation across Redis faults', () => {
  let dir: string;
  let port: number;
  let redis: Awaited<ReturnType<typeof stack.startRedis>>;
  let ingestApp: NestFastifyApplication;
  let ingest: string;
  let worker: AppProcess;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'redis-faults-'));
    port = await freePortAsync();
    redis = await stack.startRedis({ dir, port });
    env = {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      SHARD_COUNT: String(SHARDS),
      LEASE_TTL_MS: '3000',
      ADMIN_TOKEN: TOKEN,
      ENQUEUE_TIMEOUT_MS: '500',
      REDIS_COMMAND_TIMEOUT_MS: '1000',
      SHARD_STALL_READY_MS: '2000',
    };
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(testConfig(env))));
    worker = await AppProcess.start('aggregator', `faults-${runId()}`, await freePortAsync(), env);
    await worker.waitReady();
  });

  afterEach(async () => {
    await worker.kill9();
    await ingestApp.close();
    await redis.stop();
  });

  const localShards = async (): Promise<LocalShard[]> => {
    const res = await fetch(`${worker.url}/v1/admin/shards`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { shards: { local: LocalShard | null }[] };
    return body.shards.map((s) => s.local).filter((s): s is LocalShard => s !== null);
  };

  /** Resolves once every shard applied an entry appended after `since`; returns how long that took. */
  const allShardsApplyingAfter = async (since: number, timeoutMs: number): Promise<number> => {
    await eventually(
      localShards,
      (shards) =>
        shards.length === SHARDS && shards.every((s) => s.epoch > 0 && Number(s.lastAppliedId.split('-')[0]) > since),
      timeoutMs,
    );
    return Date.now() - since;
  };

  it('kill -9 of the Redis server, restarted from its AOF: unready while down, every shard applying within 10 s, exact', async () => {
    const run = runId();
    const producer = new ClickProducer(ingest, run, adsCoveringEveryShard(run));
    producer.start();
    await sleep(1500);
    redis.child.kill('SIGKILL');
    const readiness: number[] = [];
    const downUntil = Date.now() + 3000;
    while (Date.now() < downUntil) {
      readiness.push(await fetch(`${worker.url}/health/ready`).then((r) => r.status));
      await sleep(250);
    }
    expect(readiness).toContain(503);
    // An admin write whose state is in Redis (the ip blocklist) is answered 503 with Retry-After, not 500.
    const block = (cidr: string) =>
      fetch(`${worker.url}/v1/admin/blocklist/${encodeURIComponent(cidr)}`, { method: 'PUT', headers: adminAuth });
    const refused = await block('192.0.2.0/24');
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
    redis = await stack.startRedis({ dir, port });
    const answering = Date.now();
    const recoveryMs = await allShardsApplyingAfter(answering, 10_000);
    expect(recoveryMs).toBeLessThan(10_000);
    // Once Redis is back the change is taken, and every shard's stream carries it.
    expect((await block('192.0.2.0/24')).status).toBe(201);
    await eventually(
      () => fetch(`${worker.url}/v1/admin/shards`, { headers: adminAuth }).then((r) => r.json()),
      (b: any) => b.shards.every((s: any) => s.local?.blocklistVersion >= 1),
      5000,
    );
    await sleep(1000);
    await producer.stop();
    const { counts, expected } = await settledCounts(testConfig().questdb.pgUrl, run, producer);
    expect(counts).toEqual(expected);
    expect(producer.sent).toBeGreaterThan(200);
    await worker.waitReady(10_000);
  });

  it('CLIENT KILL of every aggregator connection mid-stream: exact, and every shard applying again', async () => {
    const run = runId();
    const producer = new ClickProducer(ingest, run, adsCoveringEveryShard(run));
    producer.start();
    await sleep(1500);
    const admin = new Redis(port, '127.0.0.1');
    try {
      // Every connection the aggregator process opened (they are named clicks-<worker> and clicks-agg-s<i>, ...).
      const clients = String(await admin.call('CLIENT', 'LIST'))
        .trim()
        .split('\n');
      const ours = clients.filter((c) => / name=clicks-(agg|archive|faults)/.test(c));
      expect(ours.length).toBeGreaterThanOrEqual(SHARDS);
      const killedAt = Date.now();
      for (const line of ours) await admin.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line)![1]);
      await allShardsApplyingAfter(killedAt, 10_000);
    } finally {
      admin.disconnect();
    }
    await sleep(1000);
    await producer.stop();
    const { counts, expected } = await settledCounts(testConfig().questdb.pgUrl, run, producer);
    expect(counts).toEqual(expected);
  });
});
