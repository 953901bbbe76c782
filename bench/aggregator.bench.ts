// Aggregation throughput and freshness (issue 4). Throughput: N clicks are staged (pipelined XADD in intake's entry
// format) while one, and separately two, aggregator worker processes start on empty shard streams; once every shard
// is leased the staged streams are swapped in and timed until both consumer groups (aggregate and raw archive) have
// read and acknowledged everything; the totals in QuestDB are checked. Split run: one worker with
// AGGREGATOR_ROLES=aggregate is timed alone (aggregate group only), then an archive-only process drains the archive.
// Freshness: under a steady single-click load on an ingest process, probe clicks on dedicated ads are timed from
// their POST's answer to their first appearance in `ad_clicks_1m`.
// Usage: node -r @swc-node/register -r tsconfig-paths/register bench/aggregator.bench.ts [--quick]
// Knobs (env): BENCH_EVENTS (2000000, so the last flush period weighs little; 100000 with --quick), BENCH_ADS (10000), BENCH_LOAD_RATE (5000 clicks/s),
// BENCH_PROBES (200; 50 with --quick), BENCH_POLL_MS (50), BENCH_WORKERS (1,2), BENCH_FRESHNESS (1), BENCH_SPLIT (1:
// also time one aggregate-only worker, then an archive-only process), BENCH_FRAUD_FIELDS (1: clicks carry ip, user id
// and user agent for the invalid-click rules), BENCH_CLICKS_PER_ENTRY (125: clicks of a shard per stream entry, as
// intake packs a 2,000-click batch; 1 measures single-click entries, as redirects make them). FLUSH_INTERVAL_MS, READ_BATCH_SIZE etc. are passed
// through to the apps.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { ClickEvent } from '@clicks/events';
import { createPgPool, ensureSchema } from '@clicks/store';
import { measureWorkers, WorkerRun } from './support/aggregator-run';
import { measureArchiver } from './support/archiver-run';
import { runLoad } from './support/load';
import { AppProcess, BenchWorkspace, freePort, sleep, startApp, waitReady } from './support/processes';
import { BenchReport, fmtInt, fmtMs, isQuick, knob, log, quantile, runBench } from './support/report';
import { describeCpu } from './support/cpu';
import { appendClicks, prepareStaged, stagingKey } from './support/streams';

const QUICK = isQuick();
const EVENTS = knob('BENCH_EVENTS', QUICK ? 100_000 : 2_000_000);
/** Clicks per stream entry in the pre-fill: intake packs a call's clicks per shard (2,000 over 16 shards: 125). */
const CLICKS_PER_ENTRY = knob('BENCH_CLICKS_PER_ENTRY', 125);
const ADS = knob('BENCH_ADS', 10_000);
const LOAD_RATE = knob('BENCH_LOAD_RATE', 5000);
const PROBES = knob('BENCH_PROBES', QUICK ? 50 : 200);
const POLL_MS = knob('BENCH_POLL_MS', 50);
/** BENCH_WORKERS=1 times only the one-worker run (a comma list, default 1,2); BENCH_FRESHNESS=0 skips freshness. */
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const FRESHNESS = process.env.BENCH_FRESHNESS !== '0';
/** BENCH_SPLIT=0 skips the run with an aggregate-only worker followed by an archive-only process. */
const SPLIT = process.env.BENCH_SPLIT !== '0';
/** BENCH_FRAUD_FIELDS=0: clicks without ip, user id and user agent (the invalid-click rules then have nothing to do). */
const FRAUD_FIELDS = process.env.BENCH_FRAUD_FIELDS !== '0';
const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const PROBE_EVERY_MS = 100;
const SHARDS = 16;
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;
const COUNTRIES = ['US', 'US', 'US', 'IN', 'BR', 'DE', 'GB', 'FR', 'JP', 'MX'];
const TARGET = { perWorker: 150_000, freshnessP99Ms: 2000 };
const MIN = 60_000;

interface Ctx {
  ws: BenchWorkspace;
  redis: Redis;
  pool: Pool;
  env: Record<string, string>;
  serverPids: Record<string, number>;
}

/**
 * N clicks over the last 3 minutes in stream order, spread over ADS ads and a few countries. With BENCH_FRAUD_FIELDS
 * (default 1) each carries an ip, a user id and a browser's user agent, all distinct, so every invalid-click rule
 * does its work (and keeps its state) for every click while none trips: the worst case for the rules' cost.
 */
function* clicks(prefix: string, n: number): Generator<ClickEvent> {
  const start = Date.now() - 3 * MIN;
  for (let i = 0; i < n; i++) {
    const click: ClickEvent = {
      eventId: `${prefix}-${i}`,
      adId: `${prefix}-ad-${(i * 7919) % ADS}`,
      ts: start + Math.floor((i * 3 * MIN) / n),
      country: COUNTRIES[i % COUNTRIES.length],
    };
    if (FRAUD_FIELDS) {
      click.ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      click.userId = `u-${i}`;
      click.userAgent = BROWSER;
    }
    yield click;
  }
}

async function sumClicks(pool: Pool, prefix: string): Promise<number> {
  const r = await pool.query<{ n: string | number | null }>(
    `SELECT sum(clicks) n FROM ad_clicks_1m WHERE ad_id LIKE '${prefix}-%'`,
  );
  return Number(r.rows[0]?.n ?? 0);
}

async function countRaw(pool: Pool, prefix: string): Promise<number> {
  const r = await pool.query<{ n: string | number | null }>(
    `SELECT count(*) n FROM clicks_raw WHERE ad_id LIKE '${prefix}-%'`,
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Polls `read` until it returns `want` or 60 s pass (QuestDB applies WAL transactions asynchronously). */
async function settled(read: () => Promise<number>, want: number): Promise<number> {
  let value = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (value = await read()) !== want) await sleep(500);
  return value;
}

/**
 * `split`: the workers run AGGREGATOR_ROLES=aggregate and are timed alone; then an archive-only process drains the
 * archive group, timed on its own. Otherwise each worker runs both roles (the default), timed until both groups
 * caught up.
 */
async function throughput(report: BenchReport, ctx: Ctx, workers: number, split = false): Promise<void> {
  const prefix = `w${workers}${split ? 's' : ''}${randomUUID().slice(0, 4)}`;
  await ctx.redis.flushall();
  const t0 = performance.now();
  await prepareStaged(ctx.redis, SHARDS);
  await appendClicks(ctx.redis, SHARDS, clicks(prefix, EVENTS), stagingKey, CLICKS_PER_ENTRY);
  const fillS = (performance.now() - t0) / 1000;
  log(`pre-filled ${EVENTS} clicks, ${CLICKS_PER_ENTRY} per entry, in ${fillS.toFixed(1)} s (pipelined XADD)`);

  const run: WorkerRun = await measureWorkers(ctx.ws, ctx.redis, {
    workers,
    events: EVENTS,
    shards: SHARDS,
    adminToken: ADMIN_TOKEN,
    env: split ? { ...ctx.env, AGGREGATOR_ROLES: 'aggregate' } : ctx.env,
    timeoutMs: 150_000,
    serverPids: ctx.serverPids,
    awaitArchive: !split,
  });
  const label =
    (workers === 1 ? 'one worker' : `${workers} workers`) +
    (split ? ' (aggregate-only; archive in its own process)' : '');
  if (run.aggregateSeconds === null) {
    report.add(`aggregation, ${label}, events/s`, `not caught up in ${run.timeoutS} s`, '', false);
  } else {
    const perSecond = EVENTS / run.aggregateSeconds;
    report.add(
      `aggregation, ${label}: ${fmtInt(EVENTS)} pre-filled events, events/s${workers > 1 ? ' (all workers)' : ''}`,
      `${fmtInt(perSecond)} (${run.aggregateSeconds.toFixed(1)} s to lag 0 and all acknowledged)`,
      workers === 1 ? `>= ${fmtInt(TARGET.perWorker)}` : `>= ${fmtInt(TARGET.perWorker * workers)}`,
      perSecond >= TARGET.perWorker * workers,
    );
  }
  if (!split) {
    report.add(
      `raw archive (clicks_raw) in the same run, ${label}, events/s`,
      run.archiveSeconds === null ? 'not caught up' : fmtInt(EVENTS / run.archiveSeconds),
      '',
    );
  }
  report.add(`CPU used until caught up, ${label}`, describeCpu(run.cpu, EVENTS), '');
  if (split) {
    const a = await measureArchiver(ctx.ws, ctx.redis, {
      shards: SHARDS,
      env: ctx.env,
      timeoutMs: 150_000,
      serverPids: ctx.serverPids,
    });
    report.add(
      'then an archive-only process (AGGREGATOR_ROLES=archive) alone: raw archive events/s',
      a.seconds === null
        ? 'not caught up'
        : `${fmtInt(EVENTS / a.seconds)} (${fmtInt(EVENTS)} events in ${fmtInt(a.entries)} entries, ${a.seconds.toFixed(1)} s)`,
      '',
    );
    report.add('CPU used by the archive-only run', describeCpu(a.cpu, EVENTS), '');
  }
  report.add(
    `worker process start to all shards leased (not timed above), ${label}`,
    `${run.startupSeconds.toFixed(1)} s`,
    '',
  );
  report.check(
    `${label}: events applied (admin GET /v1/admin/shards, local.applied summed)`,
    run.applied === EVENTS && run.late === 0 && run.malformed === 0,
    `applied ${run.applied} of ${EVENTS}, ` +
      `late ${run.late}, malformed ${run.malformed}; shards per worker ${run.shardsPerWorker.join('/')}`,
  );
  let inQuestDb = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (inQuestDb = await sumClicks(ctx.pool, prefix)) !== EVENTS) await sleep(500);
  report.check(`${label}: sum(clicks) in ad_clicks_1m == pre-filled events`, inQuestDb === EVENTS, `${inQuestDb}`);
  const raw = await settled(() => countRaw(ctx.pool, prefix), EVENTS);
  report.check(`${label}: rows in clicks_raw == pre-filled events`, raw === EVENTS, `${raw}`);
}

async function freshness(report: BenchReport, ctx: Ctx): Promise<void> {
  await ctx.redis.flushall();
  const [aggPort, ingestPort] = await Promise.all([freePort(), freePort()]);
  const worker = await startApp(
    ctx.ws,
    'aggregator',
    aggPort,
    { ...ctx.env, AGGREGATOR_PORT: String(aggPort), WORKER_ID: 'bench-fresh' },
    { logName: 'aggregator-fresh' },
  );
  const ingest: AppProcess = await startApp(ctx.ws, 'ingest', ingestPort, {
    ...ctx.env,
    INGEST_PORT: String(ingestPort),
  });
  await waitReady(worker, 'aggregator');

  const run = randomUUID().slice(0, 6);
  const probeSpanMs = PROBES * PROBE_EVERY_MS;
  const loadSeconds = Math.ceil((probeSpanMs + 8000) / 1000);
  log(`steady load ${LOAD_RATE} clicks/s for ${loadSeconds} s with ${PROBES} probes, one every ${PROBE_EVERY_MS} ms`);
  const load = runLoad({
    url: ingest.url,
    method: 'POST',
    request: (i) => ({
      path: '/v1/clicks',
      body: `{"eventId":"bg-${run}-${i}","adId":"bg-${i % 5000}","country":"${COUNTRIES[i % COUNTRIES.length]}"}`,
    }),
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    seconds: loadSeconds,
    // autocannon keeps one request in flight per connection: enough of them that a slow answer does not cap the rate.
    connections: 256,
    overallRate: LOAD_RATE,
  });
  await sleep(3000); // let the load reach its rate before probing

  const answeredAt = new Map<string, number>();
  const visibleAfter: number[] = [];
  const probeAd = (i: number) => `probe-${run}-${i}`;
  const since = new Date(Math.floor(Date.now() / MIN) * MIN - MIN).toISOString();
  let probing = true;
  let lastProbeAt = performance.now();
  const poller = (async () => {
    while (probing || answeredAt.size > 0) {
      const r = await ctx.pool.query<{ ad_id: string; n: string | number }>(
        `SELECT ad_id, sum(clicks) n FROM ad_clicks_1m WHERE ts >= '${since}' AND ad_id LIKE 'probe-${run}-%' GROUP BY ad_id`,
      );
      const now = performance.now();
      for (const row of r.rows) {
        const at = answeredAt.get(row.ad_id);
        if (at !== undefined && Number(row.n) >= 1) {
          visibleAfter.push(now - at);
          answeredAt.delete(row.ad_id);
        }
      }
      if (!probing && performance.now() - lastProbeAt > 30_000) break;
      await sleep(POLL_MS);
    }
  })();
  const failedProbes: string[] = [];
  for (let i = 0; i < PROBES; i++) {
    const adId = probeAd(i);
    void fetch(`${ingest.url}/v1/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ eventId: `probe-${run}-${i}`, adId, country: 'US' }),
    }).then(async (res) => {
      await res.text();
      if (res.status === 202) answeredAt.set(adId, performance.now());
      else failedProbes.push(`${adId}: ${res.status}`);
    });
    lastProbeAt = performance.now();
    await sleep(PROBE_EVERY_MS);
  }
  probing = false;
  const [bg] = await Promise.all([load, poller]);
  const lost = answeredAt.size;
  visibleAfter.sort((a, b) => a - b);
  const p50 = quantile(visibleAfter, 0.5);
  const p99 = quantile(visibleAfter, 0.99);
  report.add(
    `freshness at ${fmtInt(bg.perSecond)} clicks/s (POST answered -> in ad_clicks_1m), p50 / p99 / max`,
    `${fmtMs(p50)} / ${fmtMs(p99)} / ${fmtMs(visibleAfter[visibleAfter.length - 1] ?? NaN)} (${visibleAfter.length} probes, polled every ${POLL_MS} ms)`,
    `p99 <= ${TARGET.freshnessP99Ms} ms`,
    p99 <= TARGET.freshnessP99Ms,
  );
  report.add('background load p99 while probing', fmtMs(bg.p99Ms), '');
  report.check(
    'freshness: every probe became visible',
    lost === 0 && failedProbes.length === 0 && visibleAfter.length === PROBES,
    `${visibleAfter.length} of ${PROBES} seen; ${lost} never seen within 30 s; ${failedProbes.length} not accepted ${failedProbes.slice(0, 3).join(', ')}`,
  );
  report.check(
    'freshness: background clicks accepted',
    (bg.statuses[202] ?? 0) === bg.answered,
    `${bg.statuses[202] ?? 0} of ${bg.answered} answered 202 (${bg.errors} connection errors, incl. requests cut at the end)`,
  );
  await Promise.all([ingest.stop(), worker.stop()]);
}

async function main() {
  const ws = new BenchWorkspace();
  const report = new BenchReport();
  try {
    const [redisServer, questdb] = await Promise.all([ws.startRedis(), ws.startQuestDb()]);
    const redis = new Redis(redisServer.url);
    const pool = createPgPool(questdb.pgUrl, 2);
    ws.onCleanup(async () => {
      await pool.end();
      await redis.quit();
    });
    await ensureSchema(pool);
    const env = {
      REDIS_URL: redisServer.url,
      QUESTDB_HTTP_URL: questdb.httpUrl,
      QUESTDB_PG_URL: questdb.pgUrl,
      SHARD_COUNT: String(SHARDS),
      ADMIN_TOKEN,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const ctx: Ctx = { ws, redis, pool, env, serverPids: { redis: redisServer.pid, questdb: questdb.pid } };
    for (const workers of WORKER_COUNTS) {
      await throughput(report, ctx, workers);
      if (workers === 1 && SPLIT) await throughput(report, ctx, 1, true);
    }
    if (FRESHNESS) await freshness(report, ctx);
  } finally {
    await ws.cleanup();
  }
  report.print(
    `Aggregation, ${new Date().toISOString()}${QUICK ? ' (--quick)' : ''}: SHARD_COUNT=${SHARDS}, ` +
      `clicks ${FRAUD_FIELDS ? 'with' : 'without'} ip/user/agent, redis-server and QuestDB on the same machine`,
  );
  return report.failed;
}

runBench(main);
