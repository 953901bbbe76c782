import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { AggregateWriter, createPgPool, ensureSchema } from '@clicks/store';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { expectProblem } from '../support/problem';
import { AppProcess } from '../support/processes';
import { adminAuth, eventually, getJson, postJson, runId, startApp, testConfig } from '../support/test-env';

const MIN = 60_000;
// A random past UTC day per run, so top-N over it sees only this run's ads in the shared QuestDB.
const B = Date.UTC(2010, 0, 1) + Math.floor(Math.random() * 700) * 24 * 60 * MIN;
const at = (m: number) => new Date(B + m * MIN).toISOString();
const WINDOW = `from=${at(0)}&to=${at(10)}`;

type Call = { status: number; body: any; headers?: Headers };

/** Accounts and keys end to end: admin endpoints, partners' intake, advertisers' queries, tenancy, revocation. */
describe('accounts and keys', () => {
  const run = runId();
  const id = (name: string) => `${run}-${name}`;
  // A long key cache: a revocation must travel by announcement, not by expiry.
  const env = { SHARD_COUNT: '4', KEY_CACHE_TTL_MS: '60000', LOG_LEVEL: 'debug' };
  const config = testConfig(env);
  let ingest: AppProcess;
  let gateway: AppProcess;
  let replica: { app: NestFastifyApplication; url: string };
  let archiver: { app: NestFastifyApplication; url: string };
  let redis: Redis;
  let pool: Pool;
  const keys: Record<string, { keyId: string; key: string }> = {};
  const bearer = (name: string) => `Bearer ${keys[name].key}`;

  const admin = async (method: string, path: string, body?: unknown): Promise<Call> => {
    const res = await fetch(`${ingest.url}${path}`, {
      method,
      headers: body === undefined ? adminAuth : { ...adminAuth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const graphql = async (query: string, authorization: string | null): Promise<Call> => {
    const res = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };

  beforeAll(async () => {
    redis = new Redis(config.redis.url);
    pool = createPgPool(config.questdb.pgUrl);
    await ensureSchema(pool);
    // An ad registered by a version before the ownership index: entered in it when the apps meet Redis.
    await redis.del('clicks:{acct}:ad-owner-backfilled');
    await redis.hset(`clicks:ad:${id('legacy')}`, {
      targetUrl: 'https://example.com/old',
      advertiserId: id('A'),
      campaignId: id('cA'),
      updatedAt: '1',
    });
    [ingest, gateway] = await Promise.all([
      freePortAsync().then((p) => AppProcess.start('ingest', `accounts-ingest-${run}`, p, env)),
      freePortAsync().then((p) => AppProcess.start('gateway', `accounts-gateway-${run}`, p, env)),
    ]);
    await Promise.all([ingest.waitReady(), gateway.waitReady()]);
    replica = await startApp(createIngestApp(config));
    archiver = await startApp(createAggregatorApp(testConfig({ ...env, AGGREGATOR_ROLES: 'archive' })));
    for (const adv of ['A', 'B']) {
      expect((await admin('PUT', `/v1/admin/advertisers/${id(adv)}`, { name: `Advertiser ${adv}` })).status).toBe(201);
      keys[adv] = (await admin('POST', `/v1/admin/advertisers/${id(adv)}/keys`)).body;
    }
    keys.partner = (await admin('POST', `/v1/admin/partners/${id('p1')}/keys`)).body;
    const ads: [string, string, string][] = [
      ['a1', 'A', 'cA'],
      ['a2', 'A', 'cA'],
      ['a3', 'A', 'cS'],
      ['b1', 'B', 'cB'],
      ['b2', 'B', 'cS'],
    ];
    for (const [ad, adv, campaign] of ads) {
      const put = await admin('PUT', `/v1/ads/${id(ad)}`, {
        targetUrl: `https://example.com/${ad}`,
        advertiserId: id(adv),
        campaignId: id(campaign),
      });
      expect(put.status).toBe(201);
    }
    const writer = await AggregateWriter.connect(config.questdb.httpUrl);
    const row = (m: number, ad: string, clicks: number) => ({
      ts: B + m * MIN,
      adId: id(ad),
      country: 'DE',
      shard: 's0',
      clicks,
    });
    await writer.write([row(0, 'a1', 5), row(1, 'a2', 3), row(2, 'a3', 2), row(0, 'b1', 7), row(3, 'b2', 11)]);
    await writer.close();
    await eventually(
      () => getJson(`${gateway.url}/v1/ads/top?${WINDOW}`),
      (r) => r.body?.ads?.length === 5,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([replica?.app.close(), archiver?.app.close()]);
    await Promise.all([ingest?.terminate(), gateway?.terminate()]);
    await redis?.quit();
    await pool?.end();
  });

  it('admin endpoints create advertisers and keys; a key is shown once and stored only as its hash', async () => {
    expect((await admin('PUT', `/v1/admin/advertisers/${id('A')}`, { name: 'Renamed' })).status).toBe(200);
    expect((await admin('GET', `/v1/admin/advertisers/${id('A')}`)).body).toMatchObject({
      name: 'Renamed',
      keys: [{ keyId: keys.A.keyId }],
    });
    const stored = await redis.hgetall(`clicks:{acct}:key:${keys.A.keyId}`);
    expect(stored).toMatchObject({ kind: 'advertiser', ownerId: id('A') });
    const secret = keys.A.key.split('.')[1];
    expect(JSON.stringify(stored)).not.toContain(secret);

    const refused = [
      [await admin('POST', `/v1/admin/advertisers/${id('nobody')}/keys`), 'not-found', 'advertiserId'],
      [await admin('PUT', `/v1/admin/advertisers/${id('C')}`, { name: '' }), 'invalid-body', 'name'],
      [await admin('PUT', `/v1/admin/advertisers/bad%20id`, { name: 'x' }), 'invalid-parameter', 'advertiserId'],
      [await admin('DELETE', `/v1/admin/partners/${id('p1')}/keys/${keys.A.keyId}`), 'not-found', 'keyId'],
    ] as const;
    for (const [call, kind, field] of refused) expectProblem(call, kind, field);
    const noToken = await fetch(`${ingest.url}/v1/admin/partners/x/keys`, { method: 'POST' });
    const advertiserAsAdmin = await fetch(`${ingest.url}/v1/admin/partners/x/keys`, {
      method: 'POST',
      headers: { authorization: bearer('A') },
    });
    expectProblem({ status: noToken.status, body: await noToken.json() }, 'unauthorized', 'Authorization');
    expectProblem({ status: advertiserAsAdmin.status, body: await advertiserAsAdmin.json() }, 'forbidden');
  });

  it('answers every endpoint by its credentials: none, malformed, wrong, revoked, the wrong kind, admin', async () => {
    const revoked = (await admin('POST', `/v1/admin/partners/${id('p1')}/keys`)).body as { keyId: string; key: string };
    const revokedAdv = (await admin('POST', `/v1/admin/advertisers/${id('A')}/keys`)).body as {
      keyId: string;
      key: string;
    };
    expect((await admin('DELETE', `/v1/admin/partners/${id('p1')}/keys/${revoked.keyId}`)).status).toBe(204);
    expect((await admin('DELETE', `/v1/admin/advertisers/${id('A')}/keys/${revokedAdv.keyId}`)).status).toBe(204);
    const wrongSecret = (k: string) => `Bearer ${k.slice(0, -4)}AAAA`;
    let n = 0;
    const click = () => ({ eventId: id(`m${n++}`), adId: id('a1') });
    const intake: [string, (auth: string | null) => Promise<Call>][] = [
      ['POST /v1/clicks', (auth) => postJson(`${ingest.url}/v1/clicks`, click(), auth)],
      ['POST /v1/clicks/batch', (auth) => postJson(`${ingest.url}/v1/clicks/batch`, [click()], auth)],
      ['POST /v1/impressions', (auth) => postJson(`${ingest.url}/v1/impressions`, { adId: id('a1') }, auth)],
    ];
    const queries: [string, (auth: string | null) => Promise<Call>][] = [
      ['GET ad clicks', (auth) => getJson(`${gateway.url}/v1/ads/${id('a1')}/clicks?${WINDOW}`, auth)],
      ['GET top', (auth) => getJson(`${gateway.url}/v1/ads/top?${WINDOW}`, auth)],
      ['GET advertiser', (auth) => getJson(`${gateway.url}/v1/advertisers/${id('A')}/clicks?${WINDOW}`, auth)],
      ['GET campaign', (auth) => getJson(`${gateway.url}/v1/campaigns/${id('cA')}/clicks?${WINDOW}`, auth)],
      ['GET ad (registry)', (auth) => getJson(`${ingest.url}/v1/ads/${id('a1')}`, auth)],
      ['POST /graphql', (auth) => graphql(`{ adClicks(adId: "${id('a1')}", minutes: 5) { total } }`, auth)],
    ];
    const common: [string, string | null, number][] = [
      ['no key', null, 401],
      ['not a bearer', 'Basic abc', 401],
      ['not our key', 'Bearer ckx_nope', 401],
      ['admin token', adminAuth.authorization, 200],
    ];
    const cases: [string, string, string | null, number][] = [];
    for (const [name, ,] of intake) {
      for (const [cred, auth, status] of common) cases.push([name, cred, auth, status === 200 ? 0 : status]);
      cases.push([name, 'partner key', bearer('partner'), 0]);
      cases.push([name, 'wrong secret', wrongSecret(keys.partner.key), 401]);
      cases.push([name, 'revoked key', `Bearer ${revoked.key}`, 401]);
      cases.push([name, 'advertiser key', bearer('A'), 403]);
    }
    for (const [name] of queries) {
      for (const [cred, auth, status] of common) cases.push([name, cred, auth, status]);
      cases.push([name, 'own advertiser key', bearer('A'), 200]);
      cases.push([name, 'wrong secret', wrongSecret(keys.A.key), 401]);
      cases.push([name, 'revoked key', `Bearer ${revokedAdv.key}`, 401]);
      cases.push([name, 'partner key', bearer('partner'), 403]);
    }
    const calls = new Map([...intake, ...queries]);
    const got: string[] = [];
    const want: string[] = [];
    for (const [name, cred, auth, status] of cases) {
      const r = await calls.get(name)!(auth);
      // Intake answers 202 (clicks) or 201 (impressions) when admitted.
      const admitted = status === 0 && (r.status === 202 || r.status === 201);
      got.push(`${name} / ${cred}: ${admitted ? 'admitted' : r.status}`);
      want.push(`${name} / ${cred}: ${status === 0 ? 'admitted' : status}`);
      if (r.status === 401 || r.status === 403) {
        expectProblem(r, r.status === 401 ? 'unauthorized' : 'forbidden', 'Authorization');
      }
    }
    expect(got).toEqual(want);
  });

  it('stores nothing from a refused request, and archives every click with its partner', async () => {
    const eventId = id('refused-then-sent');
    expect((await postJson(`${ingest.url}/v1/clicks`, { eventId, adId: id('a1') }, null)).status).toBe(401);
    const sent = await postJson(`${ingest.url}/v1/clicks`, { eventId, adId: id('a1') }, bearer('partner'));
    expect(sent).toMatchObject({ status: 202, body: { duplicate: false } });
    const byAdmin = id('sent-by-admin');
    expect((await postJson(`${replica.url}/v1/clicks`, { eventId: byAdmin, adId: id('a1') })).status).toBe(202);
    // A browser's click through a link the partner asked for is the partner's too.
    const link = await postJson(`${ingest.url}/v1/impressions`, { adId: id('a1') }, bearer('partner'));
    expect((await fetch(link.body.clickUrl as string, { redirect: 'manual' })).status).toBe(302);
    const byBrowser = `imp:${link.body.impressionId as string}`;
    const partners = await eventually(
      () =>
        pool
          .query<{ event_id: string; partner_id: string }>(
            `SELECT event_id, partner_id FROM clicks_raw WHERE event_id IN ($1, $2, $3) ORDER BY event_id`,
            [eventId, byAdmin, byBrowser],
          )
          .then((r) => r.rows),
      (rows) => rows.length === 3,
    );
    expect(partners).toEqual(
      [
        { event_id: eventId, partner_id: id('p1') },
        { event_id: byAdmin, partner_id: 'admin' },
        { event_id: byBrowser, partner_id: id('p1') },
      ].sort((a, b) => (a.event_id < b.event_id ? -1 : 1)),
    );
  });

  it("finds nothing of another advertiser's numbers, by any route", async () => {
    const asB = (path: string) => getJson(`${gateway.url}${path}`, bearer('B'));
    const unknown = await asB(`/v1/ads/${id('nothing')}/clicks?${WINDOW}`);
    const others = await asB(`/v1/ads/${id('a1')}/clicks?${WINDOW}`);
    expectProblem(unknown, 'not-found', 'adId');
    // The same answer but for the id: nothing tells a stranger's ad from one that does not exist.
    const withoutId = (body: unknown, adId: string) => JSON.stringify(body).replaceAll(adId, 'ID');
    expect(withoutId(others.body, id('a1'))).toEqual(withoutId(unknown.body, id('nothing')));
    expect(others.status).toBe(404);
    expect((await asB(`/v1/ads/top?${WINDOW}`)).body.ads).toEqual([
      { adId: id('b2'), clicks: 11 },
      { adId: id('b1'), clicks: 7 },
    ]);
    expect((await asB(`/v1/ads/top?${WINDOW}&country=DE`)).body.ads.map((a: any) => a.adId)).toEqual([
      id('b2'),
      id('b1'),
    ]);
    expect((await asB(`/v1/advertisers/${id('A')}/clicks?${WINDOW}`)).status).toBe(404);
    expect((await asB(`/v1/campaigns/${id('cA')}/clicks?${WINDOW}`)).status).toBe(404);
    // A campaign id both use: B sees the sum of its own ads in it only.
    expect((await asB(`/v1/campaigns/${id('cS')}/clicks?${WINDOW}`)).body).toMatchObject({ total: 11, ads: 1 });
    expect((await asB(`/v1/advertisers/${id('B')}/clicks?${WINDOW}&granularity=1h`)).body).toMatchObject({
      advertiserId: id('B'),
      total: 18,
      series: [{ clicks: 18 }],
    });
    for (const filter of ['ip=10.0.0.1', 'userId=u1']) {
      const r = await asB(`/v1/ads/${id('b1')}/clicks?${WINDOW}&${filter}`);
      expectProblem(r, 'forbidden', filter.split('=')[0]);
      expect((await asB(`/v1/ads/top?${WINDOW}&${filter}`)).status).toBe(403);
    }
    expect((await getJson(`${ingest.url}/v1/ads/${id('a1')}`, bearer('B'))).status).toBe(404);

    // One operation per field: a non-null field's error would null the whole answer, hiding the others.
    const win = `from: "${at(0)}", to: "${at(10)}"`;
    const fields: Record<string, string> = {
      x: `adClicks(adId: "${id('a1')}", ${win}) { total }`,
      y: `ad(id: "${id('a1')}") { targetUrl advertiserId }`,
      t: `topAds(${win}) { ads { adId clicks } }`,
      r: `advertiserClicks(advertiserId: "${id('A')}", ${win}) { total }`,
      c: `campaignClicks(campaignId: "${id('cA')}", ${win}) { total }`,
      s: `campaignClicks(campaignId: "${id('cS')}", ${win}) { total }`,
    };
    const seen: Record<string, unknown> = {};
    for (const [alias, field] of Object.entries(fields)) {
      const r = await graphql(`{ ${alias}: ${field} }`, bearer('B'));
      seen[alias] = r.body.errors ? r.body.errors[0].extensions.code : r.body.data[alias];
    }
    expect(seen).toEqual({
      x: 'NOT_FOUND',
      y: null,
      t: {
        ads: [
          { adId: id('b2'), clicks: 11 },
          { adId: id('b1'), clicks: 7 },
        ],
      },
      r: 'NOT_FOUND',
      c: 'NOT_FOUND',
      s: { total: 11 },
    });
    const filtered = await graphql(
      `{ adClicks(adId: "${id('b1')}", minutes: 5, filter: { ip: "10.0.0.1" }) { total } }`,
      bearer('B'),
    );
    expect(filtered.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'ip' });

    // The admin token sees everything, A its own.
    expect((await getJson(`${gateway.url}/v1/ads/top?${WINDOW}`)).body.ads).toHaveLength(5);
    const asA = await getJson(`${gateway.url}/v1/campaigns/${id('cS')}/clicks?${WINDOW}`, bearer('A'));
    expect(asA.body).toMatchObject({ total: 2, ads: 1 });
    expect((await getJson(`${gateway.url}/v1/campaigns/${id('cS')}/clicks?${WINDOW}`)).body.total).toBe(13);
  });

  it('enters ads registered before the ownership index existed, once', async () => {
    const rollup = await getJson(`${gateway.url}/v1/campaigns/${id('cA')}/clicks?${WINDOW}`, bearer('A'));
    expect(rollup.body).toMatchObject({ ads: 3, total: 8 });
    expect(await redis.exists('clicks:{acct}:ad-owner-backfilled')).toBe(1);
  });

  it('a revoked key stops working on every replica within 5 s', async () => {
    const partner = (await admin('POST', `/v1/admin/partners/${id('p2')}/keys`)).body as { keyId: string; key: string };
    const auth = `Bearer ${partner.key}`;
    let n = 0;
    const send = (url: string) => postJson(`${url}/v1/clicks`, { eventId: id(`rv${n++}`), adId: id('a1') }, auth);
    // Both replicas have checked (and cached) the key.
    expect([(await send(ingest.url)).status, (await send(replica.url)).status]).toEqual([202, 202]);
    const query = () => getJson(`${gateway.url}/v1/ads/top?${WINDOW}`, bearer('B'));
    expect((await query()).status).toBe(200);
    const revokedAt = Date.now();
    expect((await admin('DELETE', `/v1/admin/partners/${id('p2')}/keys/${partner.keyId}`)).status).toBe(204);
    expect((await admin('DELETE', `/v1/admin/advertisers/${id('B')}/keys/${keys.B.keyId}`)).status).toBe(204);
    await eventually(
      () => send(replica.url),
      (r) => r.status === 401,
      5000,
    );
    await eventually(query, (r) => r.status === 401, 5000);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    const refusedRevoked = await send(replica.url);
    expectProblem(refusedRevoked, 'unauthorized', 'Authorization');
    expect(refusedRevoked.body.detail).toMatch(/was revoked/);
    keys.B = (await admin('POST', `/v1/admin/advertisers/${id('B')}/keys`)).body;
  });

  it('writes no key, secret or key id to the logs', () => {
    const logs = ['ingest', 'gateway']
      .map((app) =>
        readFileSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'logs', `accounts-${app}-${run}.log`), 'utf8'),
      )
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const k of Object.values(keys)) {
      expect(logs).not.toContain(k.key.split('.')[1]);
      expect(logs).not.toContain(k.keyId);
    }
    expect(logs).not.toContain('Bearer');
  });
});
