import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { expectProblem } from '../support/problem';
import { adminAuth, postJson, runId, startApp, testConfig } from '../support/test-env';
import { streamClicks } from '../support/stream-clicks';

async function countStreamClicks(redis: Redis, shards: number, adPrefix: string): Promise<number> {
  return (await streamClicks(redis, shards)).filter((c) => c.adId.startsWith(adPrefix)).length;
}

async function post(url: string, body: string, contentType: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...adminAuth }, body });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers };
}

describe('server-to-server batch intake', () => {
  const config = testConfig();
  let app: NestFastifyApplication;
  let url: string;
  let redis: Redis;

  beforeAll(async () => {
    ({ app, url } = await startApp(createIngestApp(config)));
    redis = new Redis(config.redis.url);
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  it('keeps the valid events of a JSON array, rejects the others by index, counts a re-sent batch once', async () => {
    const run = runId();
    const now = Date.now();
    const events = [
      { eventId: `${run}-1`, adId: `${run}-a`, country: 'de', ip: '2001:db8::1' },
      { eventId: `${run}-2`, adId: `${run}-a`, timestamp: new Date(now - 1000).toISOString() },
      { eventId: `${run}-3`, adId: 'bad/ad' },
      { eventId: `${run}-4`, adId: `${run}-b`, country: 'XX' },
      { eventId: `${run}-5`, adId: `${run}-b`, timestamp: now + 3_600_000 },
      { eventId: `${run}-6`, adId: `${run}-b`, ip: '999.1.1.1' },
      'not an object',
      { adId: `${run}-b`, userId: 'u1', timestamp: now - 5000, extra: { ignored: true } },
      { eventId: `${run}-1`, adId: `${run}-a` },
    ];
    const first = await postJson(`${url}/v1/clicks/batch`, events);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      accepted: 3,
      duplicates: 1,
      rejected: [
        { index: 2, field: 'adId', message: expect.any(String) },
        { index: 3, field: 'country', message: expect.any(String) },
        { index: 4, field: 'timestamp', message: expect.any(String) },
        { index: 5, field: 'ip', message: expect.any(String) },
        { index: 6, field: 'body', message: expect.any(String) },
      ],
    });
    const again = await postJson(`${url}/v1/clicks/batch`, events);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 4 });
    expect(await countStreamClicks(redis, config.shards.count, run)).toBe(3);
  });

  it('takes NDJSON, where an unreadable line rejects only its event', async () => {
    const run = runId();
    const lines = [
      JSON.stringify({ eventId: `${run}-1`, adId: `${run}-a` }),
      '{broken',
      '',
      JSON.stringify({ eventId: `${run}-2`, adId: `${run}-a`, country: 'FR' }),
    ];
    const r = await post(`${url}/v1/clicks/batch`, lines.join('\n') + '\n', 'application/x-ndjson');
    expect(r).toMatchObject({
      status: 202,
      body: {
        accepted: 2,
        duplicates: 0,
        rejected: [{ index: 1, field: 'body', message: 'line is not valid JSON' }],
      },
    });
    expect(await countStreamClicks(redis, config.shards.count, run)).toBe(2);
  });

  it('stores a batch of 10,000 and refuses 10,001 events or more than 5 MiB with 413', async () => {
    const run = runId();
    const batch = Array.from({ length: 10_000 }, (_, i) => ({ eventId: `${run}-${i}`, adId: `${run}-${i % 7}` }));
    const ok = await postJson(`${url}/v1/clicks/batch`, batch);
    expect(ok).toMatchObject({ status: 202, body: { accepted: 10_000, duplicates: 0, rejected: [] } });
    expect(await countStreamClicks(redis, config.shards.count, run)).toBe(10_000);

    const tooMany = [...batch, { eventId: `${run}-x`, adId: `${run}-x` }];
    expectProblem(await postJson(`${url}/v1/clicks/batch`, tooMany), 'payload-too-large', 'body');
    const ndjsonTooMany = tooMany.map((e) => JSON.stringify(e)).join('\n');
    expectProblem(await post(`${url}/v1/clicks/batch`, ndjsonTooMany, 'application/x-ndjson'), 'payload-too-large');
    const huge = JSON.stringify([{ adId: `${run}-h`, userId: 'u'.repeat(6 * 1024 * 1024) }]);
    // Refused by Fastify's body limit before the controller: the same problem, from the shared filter.
    expectProblem(await post(`${url}/v1/clicks/batch`, huge, 'application/json'), 'payload-too-large');
    expect(await countStreamClicks(redis, config.shards.count, `${run}-x`)).toBe(0);
  });

  it('answers a 400 problem, never 500, for a body that is not a batch', async () => {
    expectProblem(await post(`${url}/v1/clicks/batch`, '{nope', 'application/json'), 'bad-request');
    for (const body of ['{"adId":"a"}', '"text"']) {
      expectProblem(await post(`${url}/v1/clicks/batch`, body, 'application/json'), 'invalid-body', 'body');
    }
    expect((await post(`${url}/v1/clicks`, '[1,', 'application/json')).status).toBe(400);
  });

  it('answers unknown routes and unsupported bodies as problems too', async () => {
    const res = await fetch(`${url}/v1/nope`);
    expectProblem({ status: res.status, body: await res.json(), headers: res.headers }, 'not-found');
    expectProblem(await post(`${url}/v1/clicks`, '<x/>', 'application/xml'), 'unsupported-media-type');
  });
});
