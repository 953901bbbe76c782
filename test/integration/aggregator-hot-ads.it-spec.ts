import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShardRouter, shardName } from '@clicks/routing';
import { createPgPool } from '@clicks/store';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { ClickProducer, settledCounts } from '../support/ground-truth';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const ENV = { SHARD_COUNT: '8', LEASE_TTL_MS: '2000', FLUSH_INTERVAL_MS: '200', ADMIN_TOKEN: 'test-admin-token' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a hot ad salted over 8 shards mid-stream', () => {
  const config = testConfig(ENV);
  let ingestApp: NestFastifyApplication;
  let ingest: string;
  let worker: AppProcess;

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(config)));
    worker = await AppProcess.start('aggregator', 'hot-w1', await freePortAsync(), ENV);
    await worker.waitReady();
  });

  afterAll(async () => {
    await worker.kill9();
    await ingestApp.close();
  });

  it('spreads the ad over several shards, counts it exactly, and still de-duplicates retries from before', async () => {
    const run = runId();
    const hot = `${run}-hot`;
    const producer = new ClickProducer(ingest, run, [hot, hot, hot, `${run}-cold`]);
    producer.start();
    await sleep(1000);
    const put = await fetch(`${worker.url}/v1/admin/hot-ads/${hot}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-token' },
      body: JSON.stringify({ salts: 8 }),
    });
    expect(put.status).toBe(200);
    await sleep(1500);
    await producer.stop();

    // Retries of clicks accepted before the change route differently now, yet must meet their twins.
    const retries = await Promise.all(
      Array.from({ length: 50 }, (_, i) => producer.resend(i)).map((c) => postJson(`${ingest}/v1/clicks`, c)),
    );
    expect(retries.map((r) => r.body.duplicate)).toEqual(Array(50).fill(true));

    const { counts, expected } = await settledCounts(config.questdb.pgUrl, run, producer);
    expect(counts).toEqual(expected);

    const pool = createPgPool(config.questdb.pgUrl, 1);
    const shards = await pool.query<{ shard: string }>('SELECT DISTINCT shard FROM ad_clicks_1m WHERE ad_id = $1', [
      hot,
    ]);
    await pool.end();
    // Where the ring puts hot#0..hot#7 (found through event ids that pick each salt) and the unsalted ad: how many
    // distinct shards that is depends on the run id, so the rows must be in that set and spread over several.
    const router = new ShardRouter(Number(ENV.SHARD_COUNT));
    const possible = new Set([router.shardFor(hot, 'any', 1)]);
    for (let i = 0; i < 1000; i++) possible.add(router.shardFor(hot, `probe-${i}`, 8));
    const seen = shards.rows.map((r) => r.shard);
    expect(possible.size).toBeGreaterThan(2);
    expect([...possible].map((i) => shardName(i))).toEqual(expect.arrayContaining(seen));
    expect(seen.length).toBeGreaterThan(2);
  });
});
