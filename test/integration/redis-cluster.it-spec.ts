import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { ClickStreamWriter, createRedis } from '@clicks/stream';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { ClickProducer, settledCounts } from '../support/ground-truth';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { adminAuth, eventually, getJson, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

interface ClusterNode {
  port: number;
  child: { kill(signal: string): void };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startRedisCluster(o: { dir: string; ports: number[] }): Promise<{
    nodes: ClusterNode[];
    seeds: string;
    restartNode(port: number): Promise<ClusterNode>;
    stop(): Promise<void>;
  }>;
  replicationOnline(host: string, port: number, replicas: number): Promise<boolean>;
};

/** One line of CLUSTER NODES: `id host:port@bus flags master-id ping pong epoch link slot-ranges...`. */
interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  ranges: [number, number][];
}

async function clusterNodes(port: number): Promise<NodeLine[]> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await r.connect();
    const text = String(await r.call('CLUSTER', 'NODES'));
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
        const ranges = slots
          .filter((s) => /^\d/.test(s))
          .map((s) => s.split('-').map(Number))
          .map(([a, b]) => [a, b ?? a] as [number, number]);
        return { id, port: Number(address.split(/[:@]/)[1]), flags: flags.split(','), masterId, ranges };
      });
  } finally {
    r.disconnect();
  }
}

async function keySlot(port: number, key: string): Promise<number> {
  const r = new Redis(port, '127.0.0.1');
  try {
    return Number(await r.call('CLUSTER', 'KEYSLOT', key));
  } finally {
    r.disconnect();
  }
}

async function clusterStateOk(port: number): Promise<boolean> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await r.connect();
    return String(await r.call('CLUSTER', 'INFO')).includes('cluster_state:ok');
  } finally {
    r.disconnect();
  }
}

const ownerOf = (nodes: NodeLine[], slot: number) =>
  nodes.find((n) => n.flags.includes('master') && n.ranges.some(([a, b]) => slot >= a && slot <= b));

describe('on a Redis Cluster of 3 masters and 3 replicas', () => {
  let cluster: Awaited<ReturnType<typeof stack.startRedisCluster>>;
  let ingestApp: NestFastifyApplication | undefined;
  let worker: AppProcess | undefined;

  afterAll(async () => {
    await worker?.kill9();
    await ingestApp?.close();
    await cluster?.stop();
  });

  it('counts exactly end to end, and still exactly after a master is killed under load and fails over', async () => {
    const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'redis-cluster-'));
    const ports: number[] = [];
    for (let i = 0; i < 6; i++) ports.push(await freePortAsync());
    cluster = await stack.startRedisCluster({ dir, ports });
    const env = {
      REDIS_URL: `redis://127.0.0.1:${ports[0]}`,
      REDIS_CLUSTER_NODES: cluster.seeds,
      REDIS_WAIT_REPLICAS: '1',
      SHARD_COUNT: '4',
      LEASE_TTL_MS: '3000',
      FLUSH_INTERVAL_MS: '200',
      LOG_LEVEL: 'error', // 503s during the failover are expected: the producer retries them
    };
    const config = testConfig(env);
    await resetRedis(config.redis.url, config.redis.clusterNodes);
    const started = await startApp(createIngestApp(config));
    ingestApp = started.app;
    const ingest = started.url;
    worker = await AppProcess.start('aggregator', 'cluster-w1', await freePortAsync(), { ...env, LOG_LEVEL: 'log' });
    await worker.waitReady();

    const run = runId();
    const producer = new ClickProducer(
      ingest,
      run,
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((x) => `${run}-${x}`),
    );
    const expectExact = async () => {
      const { counts, expected } = await settledCounts(config.questdb.pgUrl, run, producer, 20000);
      expect(counts).toEqual(expected);
    };

    /** Lets the producer run until it sent `n` more clicks (however slow a busy machine is). */
    const produce = (n: number) => {
      const target = producer.sent + n;
      return eventually(
        () => Promise.resolve(producer.sent),
        (sent) => sent >= target,
        45000,
      );
    };

    producer.start();
    await produce(200);
    await producer.stop();
    await expectExact();

    // The old-shard de-dup check after a salt change looks at several shards at once: one pipeline per shard (slot).
    const redis = createRedis(config.redis, 'cluster-test', { writeConcern: { replicas: 1, timeoutMs: 2000 } });
    try {
      const writer = new ClickStreamWriter(redis, config.intake.dedupHorizonSeconds);
      const clicks = [0, 1, 2, 3].map((shard) => ({
        shard,
        event: { eventId: `${run}-seen-${shard}`, adId: `probe-${run}`, ts: Date.now() }, // not one of the run's ads
      }));
      expect(await writer.appendMany(clicks)).toEqual(['appended', 'appended', 'appended', 'appended']);
      expect(await writer.appendMany(clicks.slice(0, 2))).toEqual(['duplicate', 'duplicate']);
      const asked = [...clicks.map(({ shard, event }) => ({ shard, eventId: event.eventId }))];
      asked.push({ shard: 2, eventId: `${run}-never-sent` });
      expect(await writer.seenMany(asked)).toEqual([true, true, true, true, false]);
    } finally {
      redis.disconnect();
    }

    // The victim: the master of shard s0's stream, with all of that shard's keys.
    const before = await clusterNodes(ports[0]);
    const victim = ownerOf(before, await keySlot(ports[0], 'clicks:{s0}'));
    if (!victim) throw new Error('no master owns the slot of clicks:{s0}');
    const replica = before.find((n) => n.masterId === victim.id);
    if (!replica) throw new Error(`master ${victim.port} has no replica`);
    const survivor = ports.find((p) => p !== victim.port) ?? 0;

    producer.start();
    await produce(100);
    cluster.nodes.find((n) => n.port === victim.port)?.child.kill('SIGKILL');
    await eventually(
      async () => {
        const nodes = await clusterNodes(survivor);
        return (await clusterStateOk(survivor)) && nodes.find((n) => n.id === replica.id)?.flags.includes('master');
      },
      (promoted) => promoted === true,
      20000,
    );
    // The promoted master has no replica, so WAIT 1 fails and its shard answers 503 (retried by the producer)
    // until the killed node is back, as its replica, the way a restarted pod rejoins.
    await cluster.restartNode(victim.port);
    await eventually(
      async () => {
        const nodes = await clusterNodes(survivor);
        const rejoined = nodes.find((n) => n.id === victim.id);
        return rejoined?.masterId === replica.id && (await stack.replicationOnline('127.0.0.1', replica.port, 1));
      },
      (inSync) => inSync === true,
      20000,
    );
    await produce(200);
    await producer.stop();
    await expectExact();
  });

  it('keeps accounts in one slot: keys, ad ownership, rate limits, revocation and the backfill work on a cluster', async () => {
    const seed = cluster.seeds.split(',')[0];
    const env = {
      REDIS_URL: `redis://${seed}`,
      REDIS_CLUSTER_NODES: cluster.seeds,
      REDIS_WAIT_REPLICAS: '1',
      SHARD_COUNT: '4',
      LOG_LEVEL: 'error',
    };
    const config = testConfig(env);
    const run = runId();
    // An ad stored by a version before the ownership index, in whatever slot its key hashes to.
    const raw = createRedis(config.redis, 'cluster-accounts-test');
    try {
      await raw.del('clicks:{acct}:ad-owner-backfilled');
      await raw.hset(`clicks:ad:${run}-legacy`, {
        targetUrl: 'https://example.com/',
        advertiserId: `${run}-adv`,
        campaignId: 'c',
        updatedAt: '1',
      });
    } finally {
      raw.disconnect();
    }
    const ingest = await startApp(createIngestApp(config));
    try {
      const admin = (method: string, path: string, body?: unknown) =>
        fetch(`${ingest.url}${path}`, {
          method,
          headers: body === undefined ? adminAuth : { ...adminAuth, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as any }));
      expect((await admin('PUT', `/v1/admin/advertisers/${run}-adv`, { name: 'On a cluster' })).status).toBe(201);
      const advertiser = (await admin('POST', `/v1/admin/advertisers/${run}-adv/keys`)).body as { key: string };
      const partner = (await admin('POST', `/v1/admin/partners/${run}-p/keys`)).body as { keyId: string; key: string };
      const ad = { targetUrl: 'https://example.com/', advertiserId: `${run}-adv`, campaignId: 'c' };
      expect((await admin('PUT', `/v1/ads/${run}-new`, ad)).status).toBe(201);
      const click = (n: number) =>
        postJson(`${ingest.url}/v1/clicks`, { eventId: `${run}-k${n}`, adId: `${run}-new` }, `Bearer ${partner.key}`);
      expect((await click(1)).status).toBe(202);
      // The registry read with the advertiser's key checks ownership; the backfill entered the legacy ad.
      const own = await getJson(`${ingest.url}/v1/ads/${run}-legacy`, `Bearer ${advertiser.key}`);
      expect(own.status).toBe(200);
      const index = createRedis(config.redis, 'cluster-accounts-index');
      try {
        await eventually(
          () => index.smembers(`clicks:{acct}:advertiser-ads:${run}-adv`).then((ads) => ads.sort()),
          (ads) => JSON.stringify(ads) === JSON.stringify([`${run}-legacy`, `${run}-new`]),
          10000,
        );
      } finally {
        index.disconnect();
      }
      expect((await admin('DELETE', `/v1/admin/partners/${run}-p/keys/${partner.keyId}`)).status).toBe(204);
      await eventually(
        () => click(2),
        (r) => r.status === 401,
        5000,
      );
    } finally {
      await ingest.app.close();
    }
  });
});
