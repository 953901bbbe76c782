import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { AdRegistry } from '@clicks/ads';
import { AggregateWriter, createPgPool, ensureSchema, RawArchiveWriter } from '@clicks/store';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { eventually, getJson, postJson, runId, startApp, testConfig } from '../support/test-env';

const MIN = 60_000;
const DAY = 86_400_000;
// A random past UTC day per run, so top-N over it sees only this run's ads.
const B = Date.UTC(2012, 0, 1) + Math.floor(Math.random() * 2000) * DAY;
const at = (m: number) => new Date(B + m * MIN).toISOString();

const REASONS = 'fragment reasons on InvalidByReason { blocked_ip bot too_fast ip_rate repeat_user }';
const AD_CLICKS = `query($adId: String!, $minutes: Int, $from: DateTime, $to: DateTime, $granularity: String,
    $filter: ClickFilterInput) {
  adClicks(adId: $adId, minutes: $minutes, from: $from, to: $to, granularity: $granularity, filter: $filter) {
    adId from to granularity filters { country ip userId } total late invalid invalidByReason { ...reasons }
    series { start clicks late invalid invalidByReason { ...reasons } partial }
  }
}
${REASONS}`;
const TOP_ADS = `query($n: Int, $minutes: Int, $from: DateTime, $to: DateTime, $filter: ClickFilterInput) {
  topAds(n: $n, minutes: $minutes, from: $from, to: $to, filter: $filter) {
    from to n filters { country ip userId } ads { adId clicks }
  }
}`;

/** GraphQL lists every filter field (null when absent); REST leaves absent ones out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

describe('GraphQL gateway', () => {
  const config = testConfig();
  const run = runId();
  const ad = (name: string) => `${run}-${name}`;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;
  const gql = (query: string, variables: Record<string, unknown> = {}) =>
    postJson(`${url}/graphql`, { query, variables });

  beforeAll(async () => {
    pool = createPgPool(config.questdb.pgUrl);
    await ensureSchema(pool);
    const ag = await AggregateWriter.connect(config.questdb.httpUrl);
    const row = (m: number, adId: string, country: string, clicks: number) => ({
      ts: B + m * MIN,
      adId,
      country,
      shard: 's0',
      clicks,
    });
    await ag.write([
      row(0, ad('a'), 'DE', 5),
      row(3, ad('a'), 'US', 2),
      row(7, ad('a'), 'DE', 1),
      row(1, ad('b'), 'DE', 8),
      row(2, ad('c'), 'FR', 8),
    ]);
    await ag.close();
    const rw = await RawArchiveWriter.connect(config.questdb.httpUrl);
    await rw.write(
      [0, 0, 3].map((m, i) => ({
        ts: B + m * MIN + i,
        eventId: `${run}-${i}`,
        adId: ad('a'),
        shard: 's0',
        country: 'DE',
        userId: 'u9',
        ip: '192.0.2.1',
      })),
    );
    await rw.close();
    ({ app, url } = await startApp(createGatewayApp(config)));
    await eventually(
      () => getJson(`${url}/v1/ads/${ad('a')}/clicks?from=${at(0)}&to=${at(10)}&userId=u9`),
      (r) => r.body.total === 3,
    );
    await eventually(
      () => getJson(`${url}/v1/ads/top?from=${at(0)}&to=${at(10)}`),
      (r) => r.body.ads?.length === 3,
    );
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
  });

  it.each([
    [{ from: at(0), to: at(10) }, ''],
    [{ from: at(0), to: at(10), granularity: '5m' }, '&granularity=5m'],
    [{ from: at(0), to: at(10), filter: { country: 'de' } }, '&country=de'],
    [{ from: at(0), to: at(10), filter: { userId: 'u9', ip: '192.0.2.1' } }, '&userId=u9&ip=192.0.2.1'],
    [{ minutes: 5, granularity: '1h' }, '&granularity=1h'],
  ])('adClicks %j agrees with REST', async (vars, query) => {
    const window = 'minutes' in vars ? `minutes=${vars.minutes}` : `from=${at(0)}&to=${at(10)}`;
    const rest = await getJson(`${url}/v1/ads/${ad('a')}/clicks?${window}${query}`);
    const g = await gql(AD_CLICKS, { adId: ad('a'), ...vars });
    expect(g.body.errors).toBeUndefined();
    expect(rest.status).toBe(200);
    expect(withoutNulls(g.body.data.adClicks)).toEqual(rest.body);
  });

  it.each([
    [{ from: at(0), to: at(10) }, ''],
    [{ from: at(0), to: at(10), n: 2 }, '&n=2'],
    [{ from: at(0), to: at(10), filter: { country: 'DE' } }, '&country=DE'],
    [{ from: at(0), to: at(10), filter: { userId: 'u9' } }, '&userId=u9'],
  ])('topAds %j agrees with REST', async (vars, query) => {
    const rest = await getJson(`${url}/v1/ads/top?from=${at(0)}&to=${at(10)}${query}`);
    const g = await gql(TOP_ADS, vars);
    expect(g.body.errors).toBeUndefined();
    expect(withoutNulls(g.body.data.topAds)).toEqual(rest.body);
  });

  it('orders ties by adId', async () => {
    const g = await gql(TOP_ADS, { from: at(0), to: at(10) });
    expect(g.body.data.topAds.ads).toEqual(
      [
        { adId: ad('b'), clicks: 8 },
        { adId: ad('a'), clicks: 8 },
        { adId: ad('c'), clicks: 8 },
      ].sort((x, y) => (x.adId < y.adId ? -1 : 1)),
    );
  });

  it.each([
    [AD_CLICKS, { adId: 'a', minutes: 5, granularity: '2m' }, 'granularity'],
    [AD_CLICKS, { adId: "a' OR '1'='1", minutes: 5 }, 'adId'],
    [AD_CLICKS, { adId: 'a', minutes: 0 }, 'minutes'],
    [AD_CLICKS, { adId: 'a' }, 'minutes'],
    [AD_CLICKS, { adId: 'a', from: at(10), to: at(0) }, 'to'],
    [AD_CLICKS, { adId: 'a', minutes: 5, filter: { country: "' OR 1=1" } }, 'country'],
    [AD_CLICKS, { adId: 'a', minutes: 5, filter: { ip: 'not-an-ip' } }, 'ip'],
    [TOP_ADS, { minutes: 5, n: 1001 }, 'n'],
  ])('rejects bad input naming the parameter: %#', async (query, vars, param) => {
    const g = await gql(query, vars);
    expect(g.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: param });
    expect(g.body.data?.adClicks ?? g.body.data?.topAds ?? null).toBeNull();
  });

  it('breaks an ad down by country as REST does', async () => {
    const q = `query($id: String!, $from: DateTime, $to: DateTime) {
      countries(scope: ad, id: $id, from: $from, to: $to) { scope id from to total invalid countries { country clicks invalid } }
    }`;
    const g = await gql(q, { id: ad('a'), from: at(0), to: at(10) });
    const rest = await getJson(`${url}/v1/ads/${ad('a')}/countries?from=${at(0)}&to=${at(10)}`);
    expect(rest.body.countries).toEqual([
      { country: 'DE', clicks: 6, invalid: 0 },
      { country: 'US', clicks: 2, invalid: 0 },
    ]);
    expect(g.body.data.countries).toEqual(rest.body);
  });

  it('takes instants as DateTime and refuses a malformed one by its variable', async () => {
    const g = await gql(TOP_ADS, { from: at(0), to: at(0) + 'x' });
    expect(g.body.data ?? null).toBeNull();
    expect(g.body.errors[0].message).toMatch(/"\$to".*DateTime/);
    const zoned = await gql(TOP_ADS, { from: at(0).replace('Z', '+00:00'), to: at(10) });
    expect(zoned.body.data.topAds.from).toBe(at(0));
  });

  it('refuses queries deeper than the depth limit', async () => {
    const deep = '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }';
    const g = await gql(deep);
    expect(g.body.data ?? null).toBeNull();
    expect(JSON.stringify(g.body.errors)).toMatch(/depth/i);
  });

  it('refuses queries above the complexity limit', async () => {
    const one = (i: number) => `q${i}: topAds(minutes: 5) { ads { adId clicks } }`;
    const g = await gql(`{ ${Array.from({ length: 12 }, (_, i) => one(i)).join(' ')} }`);
    expect(g.body.data ?? null).toBeNull();
    expect(JSON.stringify(g.body.errors)).toMatch(/complexity/);
    const fine = await gql(`{ ${one(0)} ${one(1)} }`);
    expect(fine.body.errors).toBeUndefined();
  });
  it('answers ad(id) from the registry, null for an unknown ad, and names a bad id', async () => {
    await app.get(AdRegistry).put({
      adId: ad('a'),
      targetUrl: 'https://example.com/landing',
      advertiserId: 'adv-1',
      campaignId: 'camp-1',
      updatedAt: Date.now(),
    });
    const q = `query($id: String!) { ad(id: $id) { id targetUrl advertiserId campaignId } }`;
    const known = await gql(q, { id: ad('a') });
    expect(known.body).toEqual({
      data: {
        ad: { id: ad('a'), targetUrl: 'https://example.com/landing', advertiserId: 'adv-1', campaignId: 'camp-1' },
      },
    });
    expect((await gql(q, { id: ad('nope') })).body).toEqual({ data: { ad: null } });
    const bad = await gql(q, { id: "x' OR 1=1" });
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
