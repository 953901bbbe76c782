import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { adminAuth, postJson, runId, startApp, testConfig } from '../support/test-env';

async function countStreamClicks(redis: Redis, shards: number, adPrefix: string): Promise<number> {
  let n = 0;
  for (let s = 0; s < shards; s++) {
    for (const [, fields] of await redis.xrange(`clicks:{s${s}}`, '-', '+')) {
      const i = fields.indexOf('c');
      if (i >= 0 && (JSON.parse(fields[i + 1]) as { adId: string }).adId.startsWith(adPrefix)) n++;
    }
  }
  return n;
}

async function post(url: string, body: string, contentType: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...adminAuth }, body });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
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
        { index: 2, error: expect.stringMatching(/^adId:/) },
        { index: 3, error: expect.stringMatching(/^country:/) },
        { index: 4, error: expect.stringMatching(/^timestamp:/) },
        { index: 5, error: expect.stringMatching(/^ip:/) },
        { index: 6, error: expect.stringMatching(/^body:/) },
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
    expect(r).toEqual({
      status: 202,
      body: { accepted: 2, duplicates: 0, rejected: [{ index: 1, error: 'body: line is not valid JSON' }] },
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
    expect((await postJson(`${url}/v1/clicks/batch`, tooMany)).status).toBe(413);
    const ndjsonTooMany = tooMany.map((e) => JSON.stringify(e)).join('\n');
    expect((await post(`${url}/v1/clicks/batch`, ndjsonTooMany, 'application/x-ndjson')).status).toBe(413);
    const huge = JSON.stringify([{ adId: `${run}-h`, userId: 'u'.repeat(6 * 1024 * 1024) }]);
    expect((await post(`${url}/v1/clicks/batch`, huge, 'application/json')).status).toBe(413);
    expect(await countStreamClicks(redis, config.shards.count, `${run}-x`)).toBe(0);
  });

  it('answers 400, never 500, for a body that is not a batch', async () => {
    for (const [body, type] of [
      ['{nope', 'application/json'],
      ['{"adId":"a"}', 'application/json'],
      ['"text"', 'application/json'],
    ]) {
      expect((await post(`${url}/v1/clicks/batch`, body, type)).status).toBe(400);
    }
    expect((await post(`${url}/v1/clicks`, '[1,', 'application/json')).status).toBe(400);
  });
});
