import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { eventually, getJson, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const MIN = 60_000;
const TOKEN = 'test-admin-token';
// Lateness of 5 minutes (the default): clicks 10 minutes, 2 hours and 3 days old arrive after their window closed.
const ENV = { SHARD_COUNT: '2', ALLOWED_LATENESS_MS: '300000', ADMIN_TOKEN: TOKEN };
const minuteOf = (t: number) => Math.floor(t / MIN) * MIN;

/**
 * Late clicks folded into their own minutes, end to end: ingest and gateway in-process, the aggregator as a real
 * process that is killed with -9 while it folds them in; REST, GraphQL, top-N and reconciliation read the result.
 */
describe('late clicks reach the final counts of their own minutes, exactly once', () => {
  const config = testConfig(ENV);
  let ingestApp: NestFastifyApplication;
  let gatewayApp: NestFastifyApplication;
  let ingest: string;
  let gateway: string;
  let worker: AppProcess;
  const startWorker = async () => {
    worker = await AppProcess.start('aggregator', `late-${runId()}`, await freePortAsync(), ENV);
    await worker.waitReady();
  };

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(config)));
    ({ app: gatewayApp, url: gateway } = await startApp(createGatewayApp(testConfig({ ...ENV, QUERY_CACHE_MS: '0' }))));
    await startWorker();
  });

  afterAll(async () => {
    await worker.kill9();
    await Promise.all([ingestApp.close(), gatewayApp.close()]);
  });

  it('10 minutes, 2 hours and 3 days late: counted once in their minutes, re-sent or not, across kill -9', async () => {
    const run = runId();
    const ad = `${run}-ad`;
    const now = Date.now();
    const ages = [10 * MIN, 120 * MIN, 3 * 1440 * MIN];
    const clicks = ages.flatMap((age, a) =>
      Array.from({ length: 5 }, (_, i) => ({ eventId: `${run}-${a}-${i}`, adId: ad, timestamp: now - age + i })),
    );
    const onTime = Array.from({ length: 3 }, (_, i) => ({ eventId: `${run}-t${i}`, adId: ad, timestamp: now }));
    const post = async (batch: object[]) => {
      const r = await postJson(`${ingest}/v1/clicks/batch`, batch);
      expect(r.status).toBe(202);
      return r.body as { accepted: number; duplicates: number };
    };
    // Half now; the rest while the aggregator is killed (-9) and restarted mid-way.
    expect(await post([...onTime, ...clicks.slice(0, 8)])).toEqual({ accepted: 11, duplicates: 0, rejected: [] });
    await worker.kill9();
    expect(await post(clicks.slice(8))).toEqual({ accepted: 7, duplicates: 0, rejected: [] });
    await startWorker();
    // A client retry within the de-dup horizon: duplicates in Redis.
    expect(await post(clicks)).toEqual({ accepted: 0, duplicates: 15, rejected: [] });

    const perMinute = async () => {
      const answers = await Promise.all(
        ages.map((age) =>
          getJson(
            `${gateway}/v1/ads/${ad}/clicks?from=${iso(minuteOf(now - age))}&to=${iso(minuteOf(now - age) + MIN)}`,
          ),
        ),
      );
      return answers.map((a) => [a.body.total, a.body.late]);
    };
    await eventually(
      perMinute,
      (m) =>
        JSON.stringify(m) ===
        JSON.stringify([
          [5, 5],
          [5, 5],
          [5, 5],
        ]),
    );

    // Re-sent after Redis forgot them (its de-dup sets expired): the raw archive still knows them.
    const redis = new Redis(config.redis.url);
    try {
      await eventually(
        () => archivedIds(config.questdb.pgUrl, run),
        (n) => n === 18,
      );
      const dedupKeys = await redis.keys('clicks:{s*}:dedup:*');
      if (dedupKeys.length > 0) await redis.del(...dedupKeys);
    } finally {
      redis.disconnect();
    }
    expect(await post(clicks)).toEqual({ accepted: 0, duplicates: 15, rejected: [] });

    // The whole range: REST, GraphQL and top-N agree.
    const from = iso(minuteOf(now - 4 * 1440 * MIN));
    const to = iso(minuteOf(now) + MIN);
    const rest = await getJson(`${gateway}/v1/ads/${ad}/clicks?from=${from}&to=${to}&granularity=1d`);
    expect([rest.body.total, rest.body.late]).toEqual([18, 15]);
    const gql = await postJson(`${gateway}/graphql`, {
      query: `query($adId: String!, $from: DateTime, $to: DateTime) {
        adClicks(adId: $adId, from: $from, to: $to, granularity: "1d") { total late series { clicks late } } }`,
      variables: { adId: ad, from, to },
    });
    expect([gql.body.data.adClicks.total, gql.body.data.adClicks.late]).toEqual([18, 15]);
    for (const age of ages) {
      const m = minuteOf(now - age);
      const top = await getJson(`${gateway}/v1/ads/top?n=1000&from=${iso(m)}&to=${iso(m + MIN)}`);
      expect(top.body.ads.find((a: { adId: string }) => a.adId === ad)?.clicks).toBe(5);
    }
    await sleep(2000); // nothing more trickles in
    expect(await perMinute()).toEqual([
      [5, 5],
      [5, 5],
      [5, 5],
    ]);

    // Reconciliation counts the folded-in late clicks as matched (the last 3 hours: the 10- and 120-minute-old ones).
    const rec = await eventually(
      async () => {
        const res = await fetch(`${worker.url}/v1/admin/reconciliation?minutes=180&adId=${ad}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        return (await res.json()) as { summary: { minutes: Record<string, number>; late: number } };
      },
      (r) => r.summary.minutes.match >= 2 && r.summary.minutes.mismatch === 0 && r.summary.late === 10,
      60_000,
    );
    expect(rec.summary.minutes.unverifiable).toBe(0);
  });
});

const iso = (t: number) => new Date(t).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function archivedIds(pgUrl: string, run: string): Promise<number> {
  const { createPgPool } = await import('@clicks/store');
  const pool = createPgPool(pgUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string }>(
      'SELECT count_distinct(event_id) n FROM clicks_raw WHERE ts > $1 AND event_id LIKE $2',
      [new Date(Date.now() - 5 * 1440 * MIN), `${run}-%`],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await pool.end();
  }
}
