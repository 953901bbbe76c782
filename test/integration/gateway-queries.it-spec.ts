import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import {
  AggregateWriter,
  createPgPool,
  ensureSchema,
  MinuteCountRow,
  RawArchiveWriter,
  RawClickRow,
  upgradeAdIdColumn,
} from '@clicks/store';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { expectProblem, fetchAnswer } from '../support/problem';
import { eventually, getJson, runId, startApp, testConfig } from '../support/test-env';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const INJECTIONS = ["x' OR '1'='1", '1; DROP TABLE ad_clicks_1m --', "') UNION SELECT * FROM clicks_raw --"];

// A random past UTC day per run (2018-2023; the GraphQL spec uses 2012-2017), so top-N over it sees only this run's ads even in a shared QuestDB.
const B = Date.UTC(2018, 0, 1) + Math.floor(Math.random() * 2000) * DAY;
const at = (minutes: number) => new Date(B + minutes * MIN).toISOString();

const NO_INVALID = { blocked_ip: 0, bot: 0, too_fast: 0, ip_rate: 0, repeat_user: 0 };

describe('gateway queries against QuestDB', () => {
  // Warm-ups every 500 ms: one that found the totals view not yet valid at start is soon followed by another.
  const config = testConfig({ TOP_LIST_WARM_INTERVAL_MS: '500' });
  const run = runId();
  const ad = (name: string) => `${run}-${name}`;
  let app: NestFastifyApplication;
  let url: string;
  let pool: Pool;

  const rest = (path: string) => getJson(`${url}${path}`);
  const minute = (m: number, adId: string, country: string, shard: string, clicks: number): MinuteCountRow => ({
    ts: B + m * MIN,
    adId,
    country,
    shard,
    clicks,
  });
  let seq = 0;
  const raw = (m: number, adId: string, country: string, userId: string, ip: string): RawClickRow => ({
    ts: B + m * MIN + seq * 7,
    eventId: `${run}-e${seq++}`,
    adId,
    shard: 's0',
    country,
    userId,
    ip,
  });

  beforeAll(async () => {
    pool = createPgPool(config.questdb.pgUrl);
    await ensureSchema(pool);
    const ag = await AggregateWriter.connect(config.questdb.httpUrl);
    // A first, lower cumulative count that a later write of the same key replaces.
    await ag.write([minute(0, ad('a'), 'DE', 's0', 1)]);
    await ag.write([
      minute(0, ad('a'), 'DE', 's0', 3),
      minute(0, ad('a'), 'DE', 's1', 2),
      minute(0, ad('a'), 'US', 's0', 4),
      minute(1, ad('a'), 'DE', 's0', 1),
      minute(5, ad('a'), 'US', 's0', 7),
      minute(14, ad('a'), 'DE', 's0', 2),
      minute(15, ad('a'), 'FR', 's0', 5),
      minute(60, ad('a'), 'DE', 's0', 1),
      minute(1439, ad('a'), 'US', 's0', 1),
      minute(1440, ad('a'), 'DE', 's0', 9),
      minute(0, ad('b'), 'US', 's1', 10),
      minute(1, ad('b'), 'DE', 's1', 6),
      minute(0, ad('c'), 'DE', 's2', 16),
      minute(1, ad('d'), 'US', 's3', 10),
    ]);
    await ag.close();
    const rw = await RawArchiveWriter.connect(config.questdb.httpUrl);
    await rw.write([
      raw(0, ad('a'), 'DE', 'u1', '10.0.0.1'),
      raw(0, ad('a'), 'DE', 'u1', '10.0.0.1'),
      raw(0, ad('a'), 'US', 'u2', '2001:db8::1'),
      raw(5, ad('a'), 'US', 'u1', '10.0.0.1'),
      raw(1, ad('b'), 'DE', 'u1', '10.0.0.2'),
      raw(1, ad('b'), 'DE', 'u1', '10.0.0.2'),
      raw(1, ad('b'), 'DE', 'u1', '10.0.0.2'),
    ]);
    await rw.close();
    ({ app, url } = await startApp(createGatewayApp(config)));
    // WAL tables apply asynchronously: wait until the last write of each table is visible.
    await eventually(
      () => rest(`/v1/ads/${ad('a')}/clicks?from=${at(0)}&to=${at(2880)}&granularity=1d`),
      (r) => r.body.total === 35,
    );
    await eventually(
      () => rest(`/v1/ads/${ad('b')}/clicks?from=${at(0)}&to=${at(10)}&userId=u1`),
      (r) => r.body.total === 3,
    );
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
  });

  it('reads the top lists of the last TOP_LIST_WARM_MINUTES at start, before any top-N query', async () => {
    const cached = (text: string) => Number(/^clicks_top_lists_cached\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
    await eventually(
      () => fetch(`${url}/metrics`).then((r) => r.text()),
      (text) => cached(text) >= config.query.topLists.warmMinutes,
    );
  });

  it('answers every minute of a from/to window, zeros included, summed over shards and countries', async () => {
    const r = await rest(`/v1/ads/${ad('a')}/clicks?from=${at(0)}&to=${at(3)}`);
    expect(r).toEqual({
      status: 200,
      body: {
        adId: ad('a'),
        from: at(0),
        to: at(3),
        granularity: '1m',
        filters: {},
        total: 10,
        late: 0,
        invalid: 0,
        invalidByReason: NO_INVALID,
        series: [
          { start: at(0), clicks: 9, late: 0, invalid: 0, invalidByReason: NO_INVALID, partial: false },
          { start: at(1), clicks: 1, late: 0, invalid: 0, invalidByReason: NO_INVALID, partial: false },
          { start: at(2), clicks: 0, late: 0, invalid: 0, invalidByReason: NO_INVALID, partial: false },
        ],
      },
    });
  });

  it.each([
    ['5m', 0, 20, '', [10, 7, 2, 5]],
    ['5m', 0, 20, '&country=de', [6, 0, 2, 0]],
    ['5m', 0, 20, '&country=FR', [0, 0, 0, 5]],
    ['15m', 3, 20, '', [9, 5]],
    ['15m', 0, 30, '', [19, 5]],
    ['1h', 0, 120, '', [24, 1]],
    ['1d', 0, 2880, '', [26, 9]],
    ['1d', 1439, 1441, '', [1, 9]],
    ['1m', 1439, 1441, '&country=US', [1, 0]],
  ])('granularity %s over minutes [%i, %i)%s gives %j', async (g, from, to, extra, counts) => {
    const r = await rest(`/v1/ads/${ad('a')}/clicks?from=${at(from)}&to=${at(to)}&granularity=${g}${extra}`);
    expect(r.status).toBe(200);
    expect(r.body.series.map((p: any) => p.clicks)).toEqual(counts);
    expect(r.body.total).toBe(counts.reduce((a, b) => a + b, 0));
    const size = { '1m': MIN, '5m': 5 * MIN, '15m': 15 * MIN, '1h': HOUR, '1d': DAY }[g]!;
    const first = Math.floor((B + from * MIN) / size) * size;
    expect(r.body.series.map((p: any) => p.start)).toEqual(
      counts.map((_, i) => new Date(first + i * size).toISOString()),
    );
  });

  it('breaks an ad down by country, summed over shards, valid clicks descending', async () => {
    const r = await rest(`/v1/ads/${ad('a')}/countries?from=${at(0)}&to=${at(2880)}`);
    expect(r).toEqual({
      status: 200,
      body: {
        scope: 'ad',
        id: ad('a'),
        from: at(0),
        to: at(2880),
        total: 35,
        invalid: 0,
        countries: [
          { country: 'DE', clicks: 18, invalid: 0 },
          { country: 'US', clicks: 12, invalid: 0 },
          { country: 'FR', clicks: 5, invalid: 0 },
        ],
      },
    });
    expect((await rest(`/v1/ads/${ad('a')}/countries?from=${at(1)}&to=${at(2)}`)).body.countries).toEqual([
      { country: 'DE', clicks: 1, invalid: 0 },
    ]);
    expectProblem(await rest(`/v1/campaigns/${ad('none')}/countries?minutes=5`), 'not-found', 'campaignId');
    expectProblem(
      await rest(`/v1/ads/${encodeURIComponent('bad id')}/countries?minutes=5`),
      'invalid-parameter',
      'adId',
    );
  });

  it('answers unknown routes and unknown ads as problem details', async () => {
    expectProblem(await fetchAnswer(`${url}/v1/nope`), 'not-found');
    expectProblem(await fetchAnswer(`${url}/v1/campaigns/${ad('none')}/clicks?minutes=5`), 'not-found', 'campaignId');
    expectProblem(await fetchAnswer(`${url}/v1/ads/a/clicks?minutes=0`), 'invalid-parameter', 'minutes');
    // GraphQL's refusal of a request without a key is an HTTP answer too.
    const noKey = await fetchAnswer(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: '', 'content-type': 'application/json' },
      body: '{"query":"{ topAds(minutes: 5) { ads { adId } } }"}',
    });
    expectProblem(noKey, 'unauthorized', 'Authorization');
  });

  it('answers with the request id it was given, or a new one', async () => {
    const ask = (headers: Record<string, string>) =>
      fetch(`${url}/v1/me`, { headers: { authorization: 'Bearer test-admin-token', ...headers } });
    expect((await ask({ 'x-request-id': 'req-42' })).headers.get('x-request-id')).toBe('req-42');
    expect((await ask({})).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the viewer behind the key', async () => {
    expect(await rest('/v1/me')).toEqual({ status: 200, body: { kind: 'admin' } });
  });

  it('floors from and to to the minute (from inclusive, to exclusive)', async () => {
    const from = new Date(B + 30_000).toISOString();
    const to = new Date(B + MIN + 59_999).toISOString();
    const r = await rest(`/v1/ads/${ad('a')}/clicks?from=${from}&to=${to}`);
    expect(r.body).toMatchObject({ from: at(0), to: at(1), total: 9 });
  });

  it.each([
    ['userId=u1', [2, 0, 0, 0, 0, 1]],
    ['userId=u1&country=DE', [2, 0, 0, 0, 0, 0]],
    ['ip=10.0.0.1', [2, 0, 0, 0, 0, 1]],
    ['ip=10.0.0.1&userId=u2', [0, 0, 0, 0, 0, 0]],
    ['ip=2001:db8::1&country=us', [1, 0, 0, 0, 0, 0]],
    ['userId=u2&ip=2001%3Adb8%3A%3A1&country=US', [1, 0, 0, 0, 0, 0]],
  ])('counts raw clicks exactly under %s', async (filter, counts) => {
    const r = await rest(`/v1/ads/${ad('a')}/clicks?from=${at(0)}&to=${at(6)}&${filter}`);
    expect(r.status).toBe(200);
    expect(r.body.series.map((p: any) => p.clicks)).toEqual(counts);
  });

  it('orders top ads by clicks descending, ties by adId ascending', async () => {
    const r = await rest(`/v1/ads/top?from=${at(0)}&to=${at(2)}`);
    expect(r).toEqual({
      status: 200,
      body: {
        from: at(0),
        to: at(2),
        n: 100,
        filters: {},
        ads: [
          { adId: ad('b'), clicks: 16 },
          { adId: ad('c'), clicks: 16 },
          { adId: ad('a'), clicks: 10 },
          { adId: ad('d'), clicks: 10 },
        ],
      },
    });
  });

  it.each([
    [
      'n=2',
      [
        ['b', 16],
        ['c', 16],
      ],
    ],
    [
      'n=3&country=DE',
      [
        ['c', 16],
        ['a', 6],
        ['b', 6],
      ],
    ],
    [
      'country=us',
      [
        ['a', 4],
        ['b', 10],
        ['d', 10],
      ].sort((x, y) => +y[1] - +x[1]),
    ],
    [
      'userId=u1',
      [
        ['a', 2],
        ['b', 3],
      ].reverse(),
    ],
    ['userId=u1&ip=10.0.0.1', [['a', 2]]],
    ['ip=10.0.0.2&country=DE&n=1', [['b', 3]]],
    ['userId=nobody', []],
  ])('top ads with %s', async (params, expected) => {
    const r = await rest(`/v1/ads/top?from=${at(0)}&to=${at(2)}&${params}`);
    expect(r.status).toBe(200);
    expect(r.body.ads).toEqual(expected.map(([name, clicks]) => ({ adId: ad(String(name)), clicks })));
  });

  it('flags the open bucket partial and only that one', async () => {
    const live = ad('live');
    // `minutes=3` moves with the clock: start early in a minute, so the writes and the checks share one.
    const msLeft = MIN - (Date.now() % MIN);
    if (msLeft < 30_000) await new Promise((r) => setTimeout(r, msLeft + 100));
    const now = Date.now();
    const ag = await AggregateWriter.connect(config.questdb.httpUrl);
    await ag.write([
      { ts: Math.floor(now / MIN) * MIN, adId: live, country: 'DE', shard: 's0', clicks: 4 },
      { ts: Math.floor(now / MIN) * MIN - 2 * MIN, adId: live, country: 'DE', shard: 's0', clicks: 3 },
    ]);
    await ag.close();
    const r = await eventually(
      () => rest(`/v1/ads/${live}/clicks?minutes=3`),
      (x) => x.body.total === 7,
    );
    expect(r.body.series.map((p: any) => [p.clicks, p.partial])).toEqual([
      [3, false],
      [0, false],
      [4, true],
    ]);
    const hourly = await rest(`/v1/ads/${live}/clicks?minutes=3&granularity=1h`);
    const partial = hourly.body.series.map((p: any) => p.partial);
    expect(partial[partial.length - 1]).toBe(true);
    expect(partial.filter(Boolean)).toHaveLength(1);
    const top = await rest(`/v1/ads/top?minutes=1&country=DE&n=1000`);
    expect(top.body.ads).toContainEqual({ adId: live, clicks: 4 });
  });

  it.each([
    ['/v1/ads/a/clicks', 'minutes'],
    ['/v1/ads/a/clicks?minutes=0', 'minutes'],
    ['/v1/ads/a/clicks?minutes=44641', 'minutes'],
    ['/v1/ads/a/clicks?minutes=5&from=2026-01-01T00:00:00Z', 'minutes'],
    ['/v1/ads/a/clicks?from=2026-01-01T00:00:00Z', 'to'],
    ['/v1/ads/a/clicks?to=2026-01-01T00:00:00Z', 'from'],
    ['/v1/ads/a/clicks?from=2026-01-01&to=2026-01-02T00:00:00Z', 'from'],
    ['/v1/ads/a/clicks?from=2026-01-01T01:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
    ['/v1/ads/a/clicks?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:30Z', 'to'],
    ['/v1/ads/a/clicks?from=2026-01-01T00:00:00Z&to=2026-02-01T00:01:00Z', 'from'],
    ['/v1/ads/a/clicks?minutes=5&granularity=2m', 'granularity'],
    ['/v1/ads/a/clicks?minutes=5&country=Germany', 'country'],
    ['/v1/ads/a/clicks?minutes=5&ip=10.0.0.256', 'ip'],
    ['/v1/ads/a/clicks?minutes=5&userId=a%0Ab', 'userId'],
    [`/v1/ads/${'x'.repeat(65)}/clicks?minutes=5`, 'adId'],
    ['/v1/ads/top?minutes=5&n=0', 'n'],
    ['/v1/ads/top?minutes=5&n=1001', 'n'],
    ['/v1/ads/top?minutes=5&n=1.5', 'n'],
    ['/v1/ads/top?minutes=5&country=d', 'country'],
    ['/v1/ads/top', 'minutes'],
  ])('GET %s is a 400 naming %s', async (path, param) => {
    expectProblem(await rest(path), 'invalid-parameter', param);
  });

  describe.each(INJECTIONS)('injection string %p', (evil) => {
    const e = encodeURIComponent(evil);
    it.each([
      [`/v1/ads/${e}/clicks?minutes=5`, 'adId'],
      [`/v1/ads/a/clicks?minutes=${e}`, 'minutes'],
      [`/v1/ads/a/clicks?from=${e}&to=2026-01-01T00:00:00Z`, 'from'],
      [`/v1/ads/a/clicks?from=2026-01-01T00:00:00Z&to=${e}`, 'to'],
      [`/v1/ads/a/clicks?minutes=5&granularity=${e}`, 'granularity'],
      [`/v1/ads/a/clicks?minutes=5&country=${e}`, 'country'],
      [`/v1/ads/a/clicks?minutes=5&ip=${e}`, 'ip'],
      [`/v1/ads/top?minutes=5&n=${e}`, 'n'],
      [`/v1/ads/top?minutes=5&country=${e}`, 'country'],
      [`/v1/ads/top?minutes=5&ip=${e}`, 'ip'],
    ])('%s is a 400 naming %s', async (path, param) => {
      expectProblem(await rest(path), 'invalid-parameter', param);
    });

    it('as a userId is only ever compared, and matches nothing', async () => {
      const one = await rest(`/v1/ads/${ad('a')}/clicks?from=${at(0)}&to=${at(6)}&userId=${e}`);
      expect(one).toMatchObject({ status: 200, body: { total: 0, filters: { userId: evil } } });
      const top = await rest(`/v1/ads/top?from=${at(0)}&to=${at(6)}&userId=${e}`);
      expect(top).toMatchObject({ status: 200, body: { ads: [] } });
      const still = await rest(`/v1/ads/${ad('a')}/clicks?from=${at(0)}&to=${at(6)}`);
      expect(still.body.total).toBe(17);
    });
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = await rest('/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/ads/top', '/v1/ads/{adId}/clicks']));
    // Errors are documented as what they are: problem details, for every status a query can answer.
    const responses = doc.body.paths['/v1/ads/{adId}/clicks'].get.responses;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['400', '401', '403', '404', '429', '503', '504']));
    expect(responses['400'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ProblemDoc',
    });
    expect(doc.body.components.schemas.ProblemDoc.required).toEqual(['type', 'title', 'status', 'detail']);
    const ui = await fetch(`${url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  describe('ad_id symbol column', () => {
    const adIdState = async (table: string) =>
      (
        await pool.query(
          `SELECT symbolCapacity, symbolCached, indexed FROM table_columns('${table}') WHERE "column" = 'ad_id'`,
        )
      ).rows[0];
    const upgraded = { symbolCapacity: 4194304, symbolCached: false, indexed: true };

    it.each(['ad_clicks_1m', 'clicks_raw'])('of %s has room for millions of ads, uncached and indexed', async (t) => {
      await ensureSchema(pool); // a second run against existing tables changes nothing
      const state = await eventually(
        () => adIdState(t),
        (s) => s.indexed === true,
      );
      expect({ ...state, symbolCapacity: Number(state.symbolCapacity) }).toEqual(upgraded);
      const wal = await pool.query(`SELECT suspended FROM wal_tables() WHERE name = '${t}'`);
      expect(wal.rows).toEqual([{ suspended: false }]);
    });

    it('of a table an older schema created is upgraded in place, keeping its rows findable by ad', async () => {
      const table = `old_schema_${run.replace(/\W/g, '_')}`;
      await pool.query(
        `CREATE TABLE ${table} (ts TIMESTAMP, ad_id SYMBOL CAPACITY 65536, clicks LONG)
         TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, ad_id)`,
      );
      try {
        await pool.query(`INSERT INTO ${table} VALUES ($1, 'x', 1), ($2, 'y', 2), ($3, 'x', 4)`, [
          new Date(B),
          new Date(B + MIN),
          new Date(B + DAY),
        ]);
        await upgradeAdIdColumn(pool, table);
        await upgradeAdIdColumn(pool, table); // racing or repeated migrators
        const state = await eventually(
          () => adIdState(table),
          (s) => s.indexed === true && s.symbolCached === false,
        );
        expect({ ...state, symbolCapacity: Number(state.symbolCapacity) }).toEqual(upgraded);
        const x = await eventually(
          () => pool.query(`SELECT sum(clicks) n FROM ${table} WHERE ad_id = 'x'`),
          (r) => Number(r.rows[0]?.n) === 5,
        );
        expect(Number(x.rows[0].n)).toBe(5);
      } finally {
        await pool.query(`DROP TABLE IF EXISTS ${table}`);
      }
    });
  });
});
