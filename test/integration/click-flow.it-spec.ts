import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { expectProblem } from '../support/problem';
import { adminAuth, eventually, getJson, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const MIN = 60_000;

const NO_INVALID = { blocked_ip: 0, bot: 0, too_fast: 0, ip_rate: 0, repeat_user: 0 };

describe('a click flows from intake to the gateway', () => {
  const config = testConfig();
  const apps: NestFastifyApplication[] = [];
  let ingest: string;
  let gateway: string;
  let aggregator: string;

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    const started = await Promise.all([
      startApp(createIngestApp(config)),
      startApp(createAggregatorApp(config)),
      startApp(createGatewayApp(config)),
    ]);
    apps.push(...started.map((s) => s.app));
    [ingest, aggregator, gateway] = started.map((s) => s.url);
    await eventually(
      () => getJson(`${aggregator}/health/ready`),
      (r) => r.status === 200,
    );
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  it('counts clicks per ad and minute exactly, a re-sent event once', async () => {
    const run = runId();
    const base = Math.floor(Date.now() / MIN) * MIN - 3 * MIN;
    const expected = new Map<string, number[]>();
    let n = 0;
    const posts: Promise<unknown>[] = [];
    for (let ad = 0; ad < 5; ad++) {
      const adId = `${run}-ad${ad}`;
      const perMinute = [0, 0, 0, 0];
      for (let m = 0; m < 4; m++) {
        const count = (ad + 1) * (m + 1);
        for (let i = 0; i < count; i++) {
          const body = {
            eventId: `${run}-${n++}`,
            adId,
            timestamp: base + m * MIN + i * 10,
            country: i % 2 ? 'de' : 'US',
          };
          posts.push(postJson(`${ingest}/v1/clicks`, body).then((r) => expect(r.status).toBe(202)));
          perMinute[m]++;
        }
      }
      expected.set(adId, perMinute);
    }
    await Promise.all(posts);
    const again = await postJson(`${ingest}/v1/clicks`, { eventId: `${run}-0`, adId: `${run}-ad0`, timestamp: base });
    expect(again).toMatchObject({ status: 202, body: { eventId: `${run}-0`, duplicate: true } });

    const from = new Date(base).toISOString();
    const to = new Date(base + 4 * MIN).toISOString();
    for (const [adId, perMinute] of expected) {
      const answer = await eventually(
        () => getJson(`${gateway}/v1/ads/${adId}/clicks?from=${from}&to=${to}`),
        (r) => r.body.total === perMinute.reduce((a, b) => a + b, 0),
      );
      expect(answer.body).toEqual({
        adId,
        from: new Date(base).toISOString(),
        to: new Date(base + 4 * MIN).toISOString(),
        granularity: '1m',
        filters: {},
        total: perMinute.reduce((a, b) => a + b, 0),
        late: 0,
        invalid: 0,
        invalidByReason: NO_INVALID,
        series: perMinute.map((clicks, m) => ({
          start: new Date(base + m * MIN).toISOString(),
          clicks,
          late: 0,
          invalid: 0,
          invalidByReason: NO_INVALID,
          // the window reaches the current minute, which is still open
          partial: base + (m + 1) * MIN > Date.now(),
        })),
      });
    }
  });

  it('answers 400 naming the field for a bad click, and for bad query parameters', async () => {
    expectProblem(await postJson(`${ingest}/v1/clicks`, { adId: 'x', country: 'Germany' }), 'invalid-body', 'country');
    // Neither eventId nor timestamp: a retry could not be recognised, so the click is refused, naming eventId.
    expectProblem(await postJson(`${ingest}/v1/clicks`, { adId: 'x', country: 'DE' }), 'invalid-body', 'eventId');
    const batch = await postJson(`${ingest}/v1/clicks/batch`, [{ adId: 'x' }, { adId: 'x', eventId: `${runId()}-ok` }]);
    expect(batch.body).toMatchObject({
      accepted: 1,
      rejected: [{ index: 0, field: 'eventId', message: expect.any(String) }],
    });
    const notJson = await fetch(`${ingest}/v1/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminAuth },
      body: '{nope',
    });
    expectProblem({ status: notJson.status, body: await notJson.json(), headers: notJson.headers }, 'bad-request');
    expectProblem(await getJson(`${gateway}/v1/ads/x/clicks?minutes=0`), 'invalid-parameter', 'minutes');
    const injection = await getJson(`${gateway}/v1/ads/${encodeURIComponent("x' OR '1'='1")}/clicks?minutes=5`);
    expectProblem(injection, 'invalid-parameter', 'adId');
  });

  it('reports readiness of every app', async () => {
    for (const url of [ingest, aggregator, gateway]) {
      expect((await getJson(`${url}/health/live`)).status).toBe(200);
      expect((await getJson(`${url}/health/ready`)).body.status).toBe('ok');
    }
  });

  it('exports request durations by method, route template (never a raw id) and status on every app', async () => {
    const count = (text: string, labels: string) =>
      Number(
        new RegExp(`^clicks_http_request_duration_seconds_count\\{[^}]*${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
      );
    await postJson(`${ingest}/v1/clicks`, { eventId: `${runId()}-m`, adId: 'some-ad', country: 'DE' });
    await getJson(`${gateway}/v1/ads/some-ad/clicks?minutes=1`);
    const ingestText = await fetch(`${ingest}/metrics`).then((r) => r.text());
    expect(count(ingestText, 'method="POST",route="/v1/clicks",status="202"')).toBeGreaterThan(0);
    const gatewayText = await fetch(`${gateway}/metrics`).then((r) => r.text());
    expect(count(gatewayText, 'method="GET",route="/v1/ads/:adId/clicks",status="200"')).toBeGreaterThan(0);
    expect(gatewayText).not.toContain('route="/v1/ads/some-ad');
  });
});
