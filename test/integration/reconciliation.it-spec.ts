import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ClicksRedis, LateEventLog } from '@clicks/stream';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { expectProblem } from '../support/problem';
import { eventually, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const TOKEN = 'test-admin-token';
const MIN = 60_000;

describe('reconciliation: raw archive against minute aggregates and late records', () => {
  const config = testConfig({
    ADMIN_TOKEN: TOKEN,
    SHARD_COUNT: '2',
    IDLE_ADVANCE_MS: '300',
    ALLOWED_LATENESS_MS: '1000',
    RECONCILE_INTERVAL_MS: '300',
    RECONCILE_WINDOW_MINUTES: '10',
    RECONCILE_SETTLE_MARGIN_MS: '0',
    LEASE_TTL_MS: '3000',
  });
  const apps: NestFastifyApplication[] = [];
  let ingest: string;
  let aggregator: string;
  let startedAt = 0;
  const run = runId();
  const ad = `${run}-ad`;
  const other = `${run}-other`;
  // A minute days ago that no other test writes to (the whole-minute report must see only this test's clicks).
  const minute = Math.floor(Date.now() / MIN) * MIN - (3 * 24 * 60 + Math.floor(Math.random() * 20_000)) * MIN;
  let n = 0;
  const clicks = (adId: string, count: number, ts = minute) =>
    Array.from({ length: count }, (_, i) => ({ eventId: `${run}-${n++}`, adId, timestamp: ts + i }));
  const report = async (query: string, token: string | null = TOKEN) => {
    const res = await fetch(`${aggregator}/v1/admin/reconciliation?${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  const range = `from=${new Date(minute).toISOString()}&to=${new Date(minute + MIN).toISOString()}`;
  const sql = async <R>(text: string, values: unknown[]): Promise<R[]> => {
    const pg = new Client({ connectionString: config.questdb.pgUrl });
    await pg.connect();
    try {
      return (await pg.query(text, values)).rows as R[];
    } finally {
      await pg.end();
    }
  };
  /** Writes an aggregate row as if an actor had (the table's DEDUP keys make it replace one with the same keys). */
  const upsertAggregateRow = (ts: number, adId: string, country: string, shard: string, clicks: number) =>
    sql('INSERT INTO ad_clicks_1m (ts, ad_id, country, shard, clicks) VALUES ($1, $2, $3, $4, $5)', [
      new Date(ts),
      adId,
      country,
      shard,
      clicks,
    ]);
  const minuteOf = async (query: string) => (await report(query)).body.minutes?.[0];

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    const started = await Promise.all([startApp(createIngestApp(config)), startApp(createAggregatorApp(config))]);
    apps.push(...started.map((s) => s.app));
    [ingest, aggregator] = started.map((s) => s.url);
    startedAt = Date.now();
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  it('accounts for every archived click as counted or late, per ad and per minute', async () => {
    const first = await postJson(`${ingest}/v1/clicks/batch`, [...clicks(ad, 20), ...clicks(other, 5)]);
    expect(first.body).toMatchObject({ accepted: 25 });
    await eventually(
      () => minuteOf(`${range}&adId=${ad}`),
      (m) => m?.counted === 20 && m?.archived === 20,
    );
    // The shards go idle, their stream time moves to the wall clock (idle ticks), and the minute closes.
    await eventually(
      () =>
        fetch(`${aggregator}/v1/admin/shards`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json()),
      (b: any) =>
        b.shards.every((s: any) => s.length === 0 || Date.parse(s.local?.observedStreamTime ?? '') > Date.now() - MIN),
    );
    const late = await postJson(`${ingest}/v1/clicks/batch`, [...clicks(ad, 3), ...clicks(other, 1)]);
    expect(late.body).toMatchObject({ accepted: 4 });
    const perAd = await eventually(
      () => minuteOf(`${range}&adId=${ad}`),
      (m) => m?.archived === 23 && m?.late === 3,
    );
    expect(perAd).toEqual({
      minute: new Date(minute).toISOString(),
      archived: 23,
      counted: 20,
      late: 3,
      difference: 0,
      status: 'match',
      shards: [],
    });
    const whole = await eventually(
      () => report(range),
      (r) => r.body.summary?.archived === 29 && r.body.summary?.late === 4 && r.body.summary?.counted === 25,
    );
    expect(whole.body).toMatchObject({
      adId: null,
      confirmed: false,
      incompleteLateRecords: [],
      unreadableLateRecords: 0,
      summary: { minutes: { match: 1, mismatch: 0, pending: 0, unverifiable: 0 }, archived: 29, counted: 25, late: 4 },
    });
  });

  it('flags an under-count and an over-count; folded-in late clicks do not depend on the late stream', async () => {
    // The shard's own rows, not its folded-in late rows (`s0/late`).
    const [{ shard }] = await sql<{ shard: string }>(
      'SELECT DISTINCT shard FROM ad_clicks_1m WHERE ad_id = $1 AND late = false',
      [ad],
    );
    // A lease period after taking over, the actor re-writes the windows it closed since: tamper only after that.
    const rewritten = startedAt + 2 * config.aggregation.leaseTtlMs;
    if (Date.now() < rewritten) await new Promise((r) => setTimeout(r, rewritten - Date.now()));
    const countedAs = (v: any) => v?.counted;
    // The actor's own row (no country), rewritten lower: three archived clicks no longer counted.
    await upsertAggregateRow(minute, ad, '--', shard, 17);
    const under = await eventually(
      () => minuteOf(`${range}&adId=${ad}`),
      (v) => countedAs(v) === 17,
    );
    const diff = { archived: 23, counted: 17, late: 3, difference: 3, status: 'mismatch' };
    expect(under).toMatchObject({ ...diff, shards: [{ shard, ...diff }] });
    expect((await report(`${range}&adId=${ad}`)).body.confirmed).toBe(true);

    // The late clicks were folded into the minute's late row, so they stay counted; but a trimmed late stream may have
    // held records from before late clicks were folded in (counted nowhere else): the excess is unverifiable.
    const redis = new Redis(config.redis.url);
    await redis.xtrim(`clicks:{${shard}}:late`, 'MAXLEN', 0);
    await redis.quit();
    const trimmed = await report(`${range}&adId=${ad}`);
    expect(trimmed.body.minutes[0]).toMatchObject({ late: 3, difference: 3, status: 'unverifiable' });
    expect(trimmed.body.incompleteLateRecords).toEqual([expect.objectContaining({ shard, reason: 'trimmed' })]);

    // More counted than archived is never explained by missing late records.
    await upsertAggregateRow(minute, ad, 'ZZ', shard, 10);
    const over = await eventually(
      () => minuteOf(`${range}&adId=${ad}`),
      (v) => countedAs(v) === 27,
    );
    expect(over).toMatchObject({ archived: 23, counted: 27, late: 3, difference: -7, status: 'mismatch' });
    expect((await report(range)).body.summary.minutes).toMatchObject({ match: 0, mismatch: 1 });
  });

  it('calls the current minute pending', async () => {
    // Close to a minute's end the minute could close (lateness 1 s) before it is read: start in a fresh one.
    const left = MIN - (Date.now() % MIN);
    if (left < 10_000) await new Promise((r) => setTimeout(r, left + 100));
    expect((await postJson(`${ingest}/v1/clicks`, clicks(ad, 1, Date.now())[0])).status).toBe(202);
    const body = await eventually(
      async () => (await report(`minutes=2&adId=${ad}`)).body,
      (b) => b.summary?.archived === 1 && b.summary?.counted === 1,
    );
    expect(body.minutes).toEqual([expect.objectContaining({ archived: 1, counted: 1, status: 'pending' })]);
  });

  it('runs on a schedule and exports its verdicts as metrics', async () => {
    const ghostMinute = Math.floor(Date.now() / MIN) * MIN - 5 * MIN;
    const [{ shard }] = await sql<{ shard: string }>(
      'SELECT DISTINCT shard FROM ad_clicks_1m WHERE ad_id = $1 AND late = false',
      [ad],
    );
    await upsertAggregateRow(ghostMinute, `${run}-ghost`, 'ZZ', shard, 2); // two clicks the archive never saw
    const gauge = (text: string, name: string, labels: string) =>
      Number(new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const text = await eventually(
      () => fetch(`${aggregator}/metrics`).then((r) => r.text()),
      (t) => gauge(t, 'clicks_reconciliation_unaccounted_clicks', 'status="mismatch"') >= 2,
    );
    expect(gauge(text, 'clicks_reconciliation_windows', 'status="mismatch"')).toBeGreaterThanOrEqual(1);
    expect(gauge(text, 'clicks_reconciliation_runs_total', 'outcome="ok"')).toBeGreaterThanOrEqual(1);
    expect(gauge(text, 'clicks_reconciliation_last_success_timestamp_seconds', '')).toBeGreaterThan(
      Date.now() / 1000 - 60,
    );
  });

  it('answers 401 without the token and 400 naming a bad parameter', async () => {
    expect((await report(range, null)).status).toBe(401);
    expectProblem(await report(`${range}&adId=bad%20id`), 'invalid-parameter', 'adId');
    expectProblem(await report(''), 'invalid-parameter', 'minutes');
    expectProblem(await report('minutes=1441'), 'invalid-parameter', 'minutes');
    expectProblem(await report('from=yesterday&to=today'), 'invalid-parameter', 'from');
  });
});

describe('LateEventLog against a real Redis', () => {
  const config = testConfig();
  const SHARD = 7; // no app of this file reads shard 7's late stream
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(config.redis.url);
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('pages through every entry once, in order, and tells when the stream was trimmed', async () => {
    const key = `clicks:{s${SHARD}}:late`;
    await redis.del(key);
    const log = new LateEventLog(redis as unknown as ClicksRedis);
    expect(await log.trimmedBefore(SHARD)).toBeNull();
    const pipeline = redis.pipeline();
    for (let i = 0; i < 25_000; i++) pipeline.xadd(key, '*', 'late', `r${i}`);
    await pipeline.exec();
    const read: string[] = [];
    for await (const page of log.since(SHARD, 0)) read.push(...page.map((e) => e.record ?? ''));
    expect(read).toEqual(Array.from({ length: 25_000 }, (_, i) => `r${i}`));
    expect(await log.trimmedBefore(SHARD)).toBeNull();

    await redis.xtrim(key, 'MAXLEN', 1000);
    const [[firstLeft]] = await redis.xrange(key, '-', '+', 'COUNT', 1);
    expect(await log.trimmedBefore(SHARD)).toBe(Number(firstLeft.split('-')[0]) + 1);
    await redis.del(key);
  });
});
