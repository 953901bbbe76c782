import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { expectProblem } from '../support/problem';
import { eventually, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const TOKEN = 'test-admin-token';

describe('aggregator SRE endpoints', () => {
  const config = testConfig({ ADMIN_TOKEN: TOKEN, HOT_AD_THRESHOLD: '5', SHARD_COUNT: '4', WORKER_ID: 'admin-w1' });
  let app: NestFastifyApplication;
  let url: string;
  const admin = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        ...(init.body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  /** The call's answer as the problem checks read it. */
  const answer = async (res: Promise<Response>) => {
    const r = await res;
    return { status: r.status, body: await r.json(), headers: r.headers };
  };

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    ({ app, url } = await startApp(createAggregatorApp(config)));
    await eventually(
      () => fetch(`${url}/health/ready`).then((r) => r.status),
      (s) => s === 200,
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('requires the admin token: 401 without, 403 wrong', async () => {
    expectProblem(await answer(admin('/v1/admin/shards', {}, null)), 'unauthorized', 'Authorization');
    expectProblem(await answer(admin('/v1/admin/shards', {}, 'wrong')), 'forbidden', 'Authorization');
    expect((await admin('/v1/admin/hot-ads/x', { method: 'PUT', body: '{"salts":4}' }, null)).status).toBe(401);
    expect((await admin('/v1/admin/rebalance', { method: 'POST' }, 'wrong')).status).toBe(403);
  });

  it('shows every shard with owner, epoch, lag, pending, watermark and trim floor', async () => {
    const body: any = await (await admin('/v1/admin/shards')).json();
    expect(body.worker).toMatchObject({ workerId: 'admin-w1', liveWorkers: ['admin-w1'], ownedShards: [0, 1, 2, 3] });
    expect(body.shards).toHaveLength(4);
    for (const s of body.shards) {
      expect(s.owner).toMatch(/^admin-w1\//);
      expect(s.epoch).toBeGreaterThan(0);
      expect(s).toHaveProperty('lag');
      expect(s).toHaveProperty('pending');
      expect(s).toHaveProperty('trimFloor');
      expect(s.local).toHaveProperty('observedStreamTime');
    }
  });

  it('salts, lists and un-salts a hot ad, validating the input', async () => {
    const ad = `${runId()}-hot`;
    for (const body of ['{"salts":0}', '{"salts":"8"}']) {
      expectProblem(await answer(admin(`/v1/admin/hot-ads/${ad}`, { method: 'PUT', body })), 'invalid-body', 'salts');
    }
    const badId = await answer(admin(`/v1/admin/hot-ads/bad%20id`, { method: 'PUT', body: '{"salts":8}' }));
    expectProblem(badId, 'invalid-parameter', 'adId');
    // Nest's own errors share the format: an unknown route, a body that is not JSON.
    expectProblem(await answer(admin('/v1/admin/nope')), 'not-found');
    expectProblem(await answer(admin(`/v1/admin/hot-ads/${ad}`, { method: 'PUT', body: '{' })), 'bad-request');
    const put = await admin(`/v1/admin/hot-ads/${ad}`, { method: 'PUT', body: '{"salts":8}' });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ adId: ad, salts: 8, previousSalts: 1 });
    const list: any = await (await admin('/v1/admin/hot-ads')).json();
    expect(list.hotAds).toContainEqual(expect.objectContaining({ adId: ad, salts: 8 }));
    expect((await admin(`/v1/admin/hot-ads/${ad}`, { method: 'DELETE' })).status).toBe(200);
    const after: any = await (await admin('/v1/admin/hot-ads')).json();
    expect(after.hotAds.map((h: { adId: string }) => h.adId)).not.toContain(ad);
  });

  it('reports an ad above the hot threshold as a candidate', async () => {
    const ad = `${runId()}-burst`;
    const redis = new Redis(config.redis.url);
    const now = Date.now();
    for (let i = 0; i < 200; i++) {
      await redis.xadd('clicks:{s0}', '*', 'c', JSON.stringify({ eventId: `${ad}-${i}`, adId: ad, ts: now }));
    }
    await redis.quit();
    const candidates = await eventually(
      async () =>
        ((await (await admin('/v1/admin/hot-ads/candidates')).json()) as any).candidates as { adId: string }[],
      (c) => c.some((x) => x.adId === ad),
    );
    expect(candidates.find((c) => c.adId === ad)).toMatchObject({ shard: 's0' });
  });

  it('exports Prometheus metrics with per-shard state and no ad ids as labels', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('clicks_shard_lag_entries{shard="s0",app="aggregator"}');
    expect(text).toContain('clicks_shard_owned{shard="s0",app="aggregator"} 1');
    expect(text).toMatch(/^clicks_shard_unflushed_age_seconds\{shard="s0",app="aggregator"\} [0-9.e+-]+$/m);
    expect(text).toMatch(/^clicks_shard_events_total\{shard="s0",outcome="applied",app="aggregator"\} [1-9]/m);
    expect(text).toContain('clicks_flush_duration_seconds_bucket');
    // No ad id label, and the ads this file's tests named in paths appear only as the route template `:adId`.
    expect(text).not.toMatch(/\b(adId|ad_id)="/);
    expect(text).not.toMatch(/t[0-9a-f]{8}-(hot|burst)/);
    expect(text).toContain('route="/v1/admin/hot-ads/:adId"');
  });
});
