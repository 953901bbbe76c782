import Redis from 'ioredis';
import { streamKeys } from '@clicks/stream';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { eventually, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const MIN = 60_000;

describe('a restored window closes by the idle advance when no new click comes', () => {
  const base = { SHARD_COUNT: '1', ALLOWED_LATENESS_MS: '1000', WORKER_ID: 'idle-w1' };
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(testConfig().redis.url);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('closes it, removes its window hash and checkpoints no open window', async () => {
    await resetRedis(testConfig().redis.url);
    // First owner: no idle advance for 10 minutes, so it hands off with the window still open.
    const first = testConfig({ ...base, IDLE_ADVANCE_MS: '600000' });
    const ingest = await startApp(createIngestApp(first));
    const aggregator = await startApp(createAggregatorApp(first));
    const ts = Math.floor(Date.now() / MIN) * MIN - 2 * MIN;
    const r = await postJson(`${ingest.url}/v1/clicks`, { adId: `${runId()}-ad`, timestamp: ts + 5 });
    expect(r.status).toBe(202);
    const cp = streamKeys.checkpoint(0);
    await eventually(
      () => redis.hget(cp, 'windows'),
      (w) => w === String(ts),
    );
    await aggregator.app.close();
    await ingest.app.close();
    expect(await redis.hget(cp, 'windows')).toBe(String(ts));

    // The next owner restores that window; nothing else arrives.
    const second = await startApp(createAggregatorApp(testConfig({ ...base, IDLE_ADVANCE_MS: '300' })));
    try {
      await eventually(
        () => redis.hget(cp, 'windows'),
        (w) => w === '',
        15_000,
      );
      expect(await redis.exists(streamKeys.window(0, ts))).toBe(0);
    } finally {
      await second.app.close();
    }
  });
});
