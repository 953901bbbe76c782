import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { createPgPool } from '@clicks/store';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { ClickProducer, settledCounts } from '../support/ground-truth';
import { eventually, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const BASE_ENV = { SHARD_COUNT: '4', LEASE_TTL_MS: '2000', FLUSH_INTERVAL_MS: '200', ADMIN_TOKEN: 'test-admin-token' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Raw rows of the run in clicks_raw: all of them, and distinct event ids. */
async function rawCounts(pool: Pool, run: string): Promise<{ rows: number; events: number }> {
  const r = await pool.query<{ n: string | number; d: string | number }>(
    `SELECT count(*) n, count_distinct(event_id) d FROM clicks_raw WHERE ad_id LIKE $1`,
    [`${run}%`],
  );
  return { rows: Number(r.rows[0]?.n ?? 0), events: Number(r.rows[0]?.d ?? 0) };
}

describe('aggregator roles: aggregating and archiving in separate processes', () => {
  const config = testConfig(BASE_ENV);
  let ingestApp: NestFastifyApplication;
  let ingest: string;
  let pool: Pool;
  const workers: AppProcess[] = [];

  const worker = async (name: string, roles: string) => {
    const w = await AppProcess.start('aggregator', name, await freePortAsync(), {
      ...BASE_ENV,
      AGGREGATOR_ROLES: roles,
    });
    workers.push(w);
    return w;
  };

  beforeAll(() => {
    pool = createPgPool(config.questdb.pgUrl, 1);
  });

  afterAll(async () => {
    await pool.end();
  });

  beforeEach(async () => {
    await resetRedis(config.redis.url);
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(config)));
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill9()));
    await ingestApp.close();
  });

  it('an aggregate-only worker counts exactly; two archive-only workers, one killed mid-stream, archive every click once', async () => {
    const run = runId();
    const producer = new ClickProducer(
      ingest,
      run,
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `${run}-${x}`),
    );
    const aggregator = await worker('roles-agg', 'aggregate');
    let archiver = await worker('roles-arch-1', 'archive');
    const second = await worker('roles-arch-2', ' archive ');
    await Promise.all([aggregator.waitReady(), archiver.waitReady(), second.waitReady()]);

    // The archivers stay out of the ring: the aggregating worker alone owns every shard.
    const shards = await fetch(`${aggregator.url}/v1/admin/shards`, {
      headers: { authorization: 'Bearer test-admin-token' },
    }).then((r) => r.json() as Promise<{ worker: { liveWorkers: string[]; ownedShards: number[] } }>);
    expect(shards.worker.liveWorkers).toEqual(['roles-agg']);
    expect(shards.worker.ownedShards).toEqual([0, 1, 2, 3]);

    producer.start();
    await sleep(1200);
    await archiver.kill9(); // its delivered but unacknowledged entries are re-read by the next one
    archiver = await worker('roles-arch-1', 'archive');
    await archiver.waitReady();
    await sleep(800);
    await producer.stop();

    const { counts, expected } = await settledCounts(config.questdb.pgUrl, run, producer);
    expect(counts).toEqual(expected);
    expect(producer.sent).toBeGreaterThan(200);
    const raw = await eventually(
      () => rawCounts(pool, run),
      (c) => c.events === producer.sent,
      45000,
    ).catch(() => rawCounts(pool, run));
    // DEDUP UPSERT KEYS(ts, event_id): a click archived twice (re-read after the kill) is still one row.
    expect(raw).toEqual({ rows: producer.sent, events: producer.sent });
  });
});
