import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { ImpressionTokenSigner } from '@clicks/impressions';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { expectProblem } from '../support/problem';
import { adminAuth, eventually, postJson, runId, startApp, testConfig } from '../support/test-env';
import { streamClicks as allStreamClicks } from '../support/stream-clicks';

const ADMIN = 'test-admin-token';
const KEY = { id: 'k1', secret: 'impression-secret-0123456789' };
const OLD_KEY = { id: 'k0', secret: 'previous-secret-0123456789' };

/** Every click in the shard streams that belongs to one of `adIds`. */
async function streamClicks(redis: Redis, shards: number, adIds: string[]): Promise<any[]> {
  return (await allStreamClicks<any>(redis, shards)).filter((click) => adIds.includes(click.adId));
}

async function request(url: string, init: RequestInit = {}) {
  const headers = { ...adminAuth, ...(init.headers as Record<string, string> | undefined) };
  const res = await fetch(url, { redirect: 'manual', ...init, headers });
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

describe('browser clicks through the redirect', () => {
  const config = testConfig({
    ADMIN_TOKEN: ADMIN,
    IMPRESSION_KEYS: `${KEY.id}:${KEY.secret},${OLD_KEY.id}:${OLD_KEY.secret}`,
    TRUSTED_PROXIES: '127.0.0.1,::1',
  });
  let app: NestFastifyApplication;
  let url: string;
  let redis: Redis;
  const run = runId();
  const adId = `${run}-ad`;

  const putAd = (id: string, body: unknown, token: string | null = ADMIN) =>
    request(`${url}/v1/ads/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: token ? `Bearer ${token}` : '' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    ({ app, url } = await startApp(createIngestApp(config)));
    redis = new Redis(config.redis.url);
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  it('registers ads with the admin token only, and validates them', async () => {
    const ad = { targetUrl: 'https://example.com/landing?x=1', advertiserId: 'adv-1', campaignId: 'c-1' };
    expectProblem(await putAd(adId, ad, null), 'unauthorized', 'Authorization');
    expectProblem(await putAd(adId, ad, 'wrong-token'), 'forbidden', 'Authorization');
    expectProblem(await putAd(adId, { ...ad, targetUrl: 'javascript:alert(1)' }), 'invalid-body', 'targetUrl');
    expect((await putAd(adId, { ...ad, targetUrl: 'ftp://example.com/' })).status).toBe(400);
    expectProblem(await putAd('bad/id', ad), 'not-found'); // a slash is no ad id: no such route
    const created = await putAd(adId, ad);
    expect(created).toMatchObject({ status: 201, body: { adId, ...ad } });
    expect((await request(`${url}/v1/ads/${adId}`)).body).toMatchObject({ adId, ...ad });
    expectProblem(await request(`${url}/v1/ads/${run}-none`), 'not-found', 'adId');
  });

  it('redirects to the registered target, counts once per impression, refreshes the cached ad on change', async () => {
    await putAd(adId, { targetUrl: 'https://example.com/a', advertiserId: 'adv-1', campaignId: 'c-1' });
    const imp = await postJson(`${url}/v1/impressions`, { adId });
    expect(imp.status).toBe(201);
    expect(imp.body.clickUrl).toBe(`${url}/v1/r/${imp.body.token}`);
    const headers = { 'user-agent': 'jest-browser/1.0', 'x-forwarded-for': '198.51.100.7, 127.0.0.1' };
    const first = await request(imp.body.clickUrl, { headers });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('https://example.com/a');
    const again = await request(imp.body.clickUrl, { headers });
    expect(again.status).toBe(302);

    await putAd(adId, { targetUrl: 'https://example.org/b', advertiserId: 'adv-1', campaignId: 'c-1' });
    const second = await postJson(`${url}/v1/impressions`, { adId });
    const moved = await request(second.body.clickUrl);
    expect(moved.headers.get('location')).toBe('https://example.org/b');

    const clicks = await streamClicks(redis, config.shards.count, [adId]);
    expect(clicks).toHaveLength(2);
    const firstClick = clicks.find((c) => c.impressionId === imp.body.impressionId);
    expect(firstClick).toMatchObject({
      eventId: `imp:${imp.body.impressionId}`,
      adId,
      ip: '198.51.100.7',
      userAgent: 'jest-browser/1.0',
    });
    expect(Math.abs(firstClick.ts - Date.now())).toBeLessThan(60_000);
  });

  it('on a salted ad, a link clicked again from another address is still one click (its twin may be on any shard)', async () => {
    const hot = `${run}-hot`;
    await putAd(hot, { targetUrl: 'https://example.com/hot', advertiserId: 'adv-1', campaignId: 'c-1' });
    // Salted over 8 sub-keys: clicks route by their ip, so these addresses reach different shards.
    await redis.hset('clicks:hot-ads', hot, JSON.stringify({ salts: 8, previousSalts: 8, changedAt: 0 }));
    await new Promise((r) => setTimeout(r, 1500)); // HOT_ADS_REFRESH_MS
    const imp = await postJson(`${url}/v1/impressions`, { adId: hot });
    for (let i = 1; i <= 6; i++) {
      const headers = { 'user-agent': 'jest-browser/1.0', 'x-forwarded-for': `198.51.100.${i}, 127.0.0.1` };
      expect((await request(imp.body.clickUrl, { headers })).status).toBe(302);
    }
    const clicks = await streamClicks(redis, config.shards.count, [hot]);
    expect(clicks.map((c) => c.ip)).toEqual(['198.51.100.1']);
  });

  it('accepts a token of the previous key; rejects forged, tampered and expired tokens without counting', async () => {
    const otherAd = `${run}-ad2`;
    await putAd(otherAd, { targetUrl: 'https://example.com/2', advertiserId: 'adv-1', campaignId: 'c-2' });
    const old = new ImpressionTokenSigner([OLD_KEY], 60_000).sign(otherAd);
    expect((await request(`${url}/v1/r/${old.token}`)).status).toBe(302);

    const forged = new ImpressionTokenSigner([{ id: 'k1', secret: 'attacker-secret-0123456789' }], 60_000).sign(
      otherAd,
    );
    const expired = new ImpressionTokenSigner([KEY], 1000, () => Date.now() - 10_000).sign(otherAd);
    const good = new ImpressionTokenSigner([KEY], 60_000).sign(otherAd).token;
    const [kid, , sig] = good.split('.');
    const otherClaims = Buffer.from(JSON.stringify({ a: otherAd, i: 'x', x: Date.now() + 60_000 })).toString(
      'base64url',
    );
    for (const token of [forged.token, expired.token, `${kid}.${otherClaims}.${sig}`, 'garbage', 'a.b.c']) {
      const r = await request(`${url}/v1/r/${encodeURIComponent(token)}`);
      expectProblem(r, 'invalid-click-token', 'token');
      expect(r.headers.get('location')).toBeNull();
    }
    expect(await streamClicks(redis, config.shards.count, [otherAd])).toHaveLength(1);
  });

  it('answers 404 for an unknown ad, for impressions and for valid tokens alike', async () => {
    expectProblem(await postJson(`${url}/v1/impressions`, { adId: `${run}-unknown` }), 'not-found', 'adId');
    expectProblem(await postJson(`${url}/v1/impressions`, { adId: 'bad id' }), 'invalid-body', 'adId');
    const token = new ImpressionTokenSigner([KEY], 60_000).sign(`${run}-unknown`).token;
    expectProblem(await request(`${url}/v1/r/${token}`), 'not-found', 'adId');
    expect(await streamClicks(redis, config.shards.count, [`${run}-unknown`])).toHaveLength(0);
  });

  it('ignores X-Forwarded-For from an untrusted peer; sees ad changes made through another ingest', async () => {
    const strict = testConfig({
      ADMIN_TOKEN: ADMIN,
      IMPRESSION_KEYS: `${KEY.id}:${KEY.secret}`,
      TRUSTED_PROXIES: '10.0.0.0/8',
    });
    const other = await startApp(createIngestApp(strict));
    try {
      const signed = new ImpressionTokenSigner([KEY], 60_000).sign(adId);
      const r = await request(`${other.url}/v1/r/${signed.token}`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(r.status).toBe(302);
      const click = (await streamClicks(redis, config.shards.count, [adId])).find(
        (c) => c.impressionId === signed.impressionId,
      );
      expect(click.ip).toBe('127.0.0.1');

      // The first app has the ad cached; a change through the other app reaches it by the change channel.
      expect((await request(`${url}/v1/ads/${adId}`)).body.targetUrl).toBe('https://example.org/b');
      const changed = await request(`${other.url}/v1/ads/${adId}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ targetUrl: 'https://example.net/c', advertiserId: 'adv-1', campaignId: 'c-1' }),
      });
      expect(changed.status).toBe(200);
      await eventually(
        () => request(`${url}/v1/ads/${adId}`),
        (a) => a.body.targetUrl === 'https://example.net/c',
        5000,
      );
    } finally {
      await other.app.close();
    }
  });
});
