import { execFileSync } from 'node:child_process';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPgPool, ensureSchema } from '@clicks/store';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { expectProblem } from '../support/problem';
import { adminAuth, getJson, postJson, runId, startApp, testConfig } from '../support/test-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the next whole second has begun, so a test's burst falls into one rate-limit window. */
async function startOfSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 20);
}

/** Rate limits (shared through Redis), the raw-archive window cap and the statement timeout. */
describe('abuse limits', () => {
  const run = runId();
  const env = {
    PARTNER_EVENTS_PER_SECOND: '10',
    ADVERTISER_QUERIES_PER_SECOND: '3',
    CLIENT_IP_REQUESTS_PER_SECOND: '4',
    QUERY_TIMEOUT_MS: '300',
    QUERY_CACHE_MS: '0',
    IMPRESSION_KEYS: 'k1:abuse-limits-test-signing-key',
  };
  let ingest: { app: NestFastifyApplication; url: string };
  let replica: { app: NestFastifyApplication; url: string };
  let gateway: { app: NestFastifyApplication; url: string };
  let partnerAuth: string;
  let advertiserAuth: string;

  const admin = (path: string, body?: unknown) =>
    fetch(`${ingest.url}${path}`, {
      method: body === undefined ? 'POST' : 'PUT',
      headers: body === undefined ? adminAuth : { ...adminAuth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ key: string }>);

  beforeAll(async () => {
    // The aggregator creates the tables; none runs here, and this file may run first.
    const pool = createPgPool(testConfig().questdb.pgUrl);
    await ensureSchema(pool);
    await pool.end();
    ingest = await startApp(createIngestApp(testConfig(env)));
    replica = await startApp(createIngestApp(testConfig(env)));
    gateway = await startApp(createGatewayApp(testConfig(env)));
    partnerAuth = `Bearer ${(await admin(`/v1/admin/partners/${run}-p/keys`)).key}`;
    await admin(`/v1/admin/advertisers/${run}-adv`, { name: 'Limited' });
    advertiserAuth = `Bearer ${(await admin(`/v1/admin/advertisers/${run}-adv/keys`)).key}`;
    await admin(`/v1/ads/${run}-ad`, {
      targetUrl: 'https://example.com/',
      advertiserId: `${run}-adv`,
      campaignId: 'c',
    });
  });

  afterAll(async () => {
    await Promise.all([ingest?.app.close(), replica?.app.close(), gateway?.app.close()]);
  });

  it("limits a partner key's clicks per second across replicas, answers 429 with Retry-After, and recovers", async () => {
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ eventId: `${run}-e${from + i}`, adId: `${run}-ad` }));
    await startOfSecond();
    expect((await postJson(`${ingest.url}/v1/clicks/batch`, batch(0, 6), partnerAuth)).status).toBe(202);
    // The same key on another replica shares the budget: 6 + 5 > 10.
    const refused = await postJson(`${replica.url}/v1/clicks/batch`, batch(6, 5), partnerAuth);
    expectProblem(refused, 'rate-limited');
    expect(refused.body.limit).toBe('partner_events');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await sleep(1100);
    // Nothing of the refused batch was stored: sent again, none of it is a duplicate.
    const again = await postJson(`${replica.url}/v1/clicks/batch`, batch(6, 5), partnerAuth);
    expect(again).toMatchObject({ status: 202, body: { accepted: 5, duplicates: 0 } });
    const metrics = await fetch(`${replica.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/clicks_rate_limited_total\{scope="partner_events"[^}]*\} 1/);
  });

  it("limits an advertiser key's queries, REST and GraphQL alike", async () => {
    await startOfSecond();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await getJson(`${gateway.url}/v1/ads/top?minutes=5`, advertiserAuth)).status);
    }
    const gql = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { authorization: advertiserAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ topAds(minutes: 5) { n } }' }),
    });
    statuses.push(gql.status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(gql.headers.get('retry-after')).toBe('1');
    await sleep(1100);
    expect((await getJson(`${gateway.url}/v1/ads/top?minutes=5`, advertiserAuth)).status).toBe(200);
  });

  it('limits one client address on impressions and redirects', async () => {
    await startOfSecond();
    const impressions: number[] = [];
    let clickUrl = '';
    for (let i = 0; i < 5; i++) {
      const r = await postJson(`${ingest.url}/v1/impressions`, { adId: `${run}-ad` }, partnerAuth);
      impressions.push(r.status);
      if (r.status === 201) clickUrl = r.body.clickUrl as string;
    }
    expect(impressions).toEqual([201, 201, 201, 201, 429]);
    await sleep(1100);
    const followed: number[] = [];
    for (let i = 0; i < 5; i++) followed.push((await fetch(clickUrl, { redirect: 'manual' })).status);
    expect(followed).toEqual([302, 302, 302, 302, 429]);
  });

  it('caps the window of raw-archive filters, and answers 504 when QuestDB does not answer in time', async () => {
    const capped = await getJson(`${gateway.url}/v1/ads/${run}-ad/clicks?minutes=1500&ip=10.0.0.1`);
    expectProblem(capped, 'invalid-parameter', 'minutes');
    expect(capped.body.detail).toContain('RAW_QUERY_MAX_HOURS');
    expect((await getJson(`${gateway.url}/v1/ads/${run}-ad/clicks?minutes=1440&ip=10.0.0.1`)).status).toBe(200);

    // The QuestDB server itself stops answering (a GC pause, a stuck disk): the read gives up, never hangs.
    const pid = Number(process.env.TEST_QUESTDB_PID);
    execFileSync('kill', ['-STOP', String(pid)]);
    try {
      const started = Date.now();
      const r = await getJson(`${gateway.url}/v1/ads/${run}-ad/clicks?minutes=90`);
      expectProblem(r, 'timeout');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      execFileSync('kill', ['-CONT', String(pid)]);
    }
    expect((await getJson(`${gateway.url}/v1/ads/${run}-ad/clicks?minutes=90`)).status).toBe(200);
  });

  it('answers 503 with Retry-After, not 500, while QuestDB cannot be reached', async () => {
    const nowhere = `postgresql://admin:quest@127.0.0.1:${await freePortAsync()}/qdb`;
    const lonely = await startApp(createGatewayApp(testConfig({ ...env, QUESTDB_PG_URL: nowhere })), {
      waitReady: false,
    });
    try {
      const res = await fetch(`${lonely.url}/v1/ads/${run}-ad/clicks?minutes=5`, { headers: adminAuth });
      expect([res.status, res.headers.get('retry-after')]).toEqual([503, '1']);
      expectProblem({ status: res.status, body: await res.json(), headers: res.headers }, 'unavailable');
      expect((await getJson(`${lonely.url}/v1/ads/${run}-ad/clicks?minutes=5`)).body.detail).toMatch(/QuestDB/);
    } finally {
      await lonely.app.close();
    }
  });
});
