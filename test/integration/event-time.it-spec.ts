import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPgPool } from '@clicks/store';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { eventually, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Debian's libfaketime (package faketime, installed by `npm test`). */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
// The defaults that matter here: 5 minutes of allowed lateness, clicks accepted up to 5 minutes in the future.
const ENV = { SHARD_COUNT: '2', ALLOWED_LATENESS_MS: '300000', MAX_FUTURE_SKEW_MS: '300000', IDLE_ADVANCE_MS: '300' };

/**
 * Clicks of one ad, summed over minutes, countries and shards. By exact ad id: a LIKE on the symbol column, compiled
 * while only some of the run's ads existed, was seen to keep missing the ads that appeared after it (QuestDB caches
 * the compiled query).
 */
async function clicksOf(adId: string): Promise<number> {
  const pool = createPgPool(testConfig().questdb.pgUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string | null }>('SELECT sum(clicks) n FROM ad_clicks_1m WHERE ad_id = $1', [
      adId,
    ]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await pool.end();
  }
}

/** Ingest in-process, an aggregator as a real process (its clock possibly set ahead with faketime). */
describe('trusted event time: no client or worker clock closes windows early', () => {
  const config = testConfig(ENV);
  let ingestApp: NestFastifyApplication;
  let ingest: string;
  let worker: AppProcess | undefined;

  beforeEach(async () => {
    await resetRedis(config.redis.url);
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(config)));
  });

  afterEach(async () => {
    await worker?.kill9();
    await ingestApp.close();
  });

  const post = async (clicks: object[]) => {
    for (let i = 0; i < clicks.length; i += 1000) {
      const r = await postJson(`${ingest}/v1/clicks/batch`, clicks.slice(i, i + 1000));
      expect(r.status).toBe(202);
      expect(r.body.rejected).toEqual([]);
    }
  };

  it("a partner whose clock runs 4.5 minutes fast cannot make other partners' on-time clicks late", async () => {
    worker = await AppProcess.start('aggregator', 'event-time-w1', await freePortAsync(), ENV);
    await worker.waitReady();
    const run = runId();
    const now = Date.now();
    const fast = Array.from({ length: 400 }, (_, i) => ({
      eventId: `${run}-f${i}`,
      adId: `${run}-fast${i % 4}`,
      timestamp: now + 270_000,
    }));
    await post(fast);
    await sleep(3000);
    const honest = Array.from({ length: 2000 }, (_, i) => ({
      eventId: `${run}-h${i}`,
      adId: `${run}-honest${i % 4}`,
      timestamp: Date.now() - 90_000,
    }));
    await post(honest);
    const total = async (prefix: string) => {
      let n = 0;
      for (let k = 0; k < 4; k++) n += await clicksOf(`${run}-${prefix}${k}`);
      return n;
    };
    await eventually(
      () => total('honest'),
      (n) => n === 2000,
      30_000,
    );
    await eventually(
      () => total('fast'),
      (n) => n === 400,
      30_000,
    ); // counted in the minute they name
  });

  it('an aggregator whose clock runs 10 minutes fast cannot close windows early (idle ticks)', async () => {
    // libfaketime preloaded into the app itself (the `faketime` command would fork it, and kill -9 would miss it).
    const env = { ...ENV, LD_PRELOAD: LIBFAKETIME, FAKETIME: '+600s', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    worker = await AppProcess.start('aggregator', 'event-time-w2', await freePortAsync(), env);
    await worker.waitReady();
    const run = runId();
    const ad = `${run}-ad`;
    await post([{ eventId: `${run}-0`, adId: ad, timestamp: Date.now() }]);
    await eventually(
      () => clicksOf(ad),
      (n) => n === 1,
    );
    await sleep(2000); // idle: the worker appends ticks, each asked for at its own (fast) time
    await post([{ eventId: `${run}-1`, adId: ad, timestamp: Date.now() - 90_000 }]);
    await eventually(
      () => clicksOf(ad),
      (n) => n === 2,
    );
  });
});
