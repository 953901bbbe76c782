// The whole system on one machine, as `npm start` runs it (issue 18): Redis, QuestDB, ingest, one aggregator with
// both roles (shard actors and raw archive) and the gateway. Producers post NDJSON batches of 2,000 clicks over
// Zipf-distributed ads at fixed offered rates, then as fast as the system takes them. Per phase: intake rate, end-to-
// end rate (first click sent -> every click counted in the minute aggregates and archived raw), freshness under the
// load (a probe click every 0.25-0.75 s: POST answered -> its ad's total is 1 through the gateway), CPU per click of every
// process, and the checks that counts (valid + invalid) and archive rows equal the clicks accepted.
// Usage: node bench/run.js e2e [--quick]
// Knobs (env): BENCH_E2E_RATES (20000,40000,60000; offered clicks/s, each for BENCH_E2E_SECONDS), BENCH_E2E_SECONDS
// (15), BENCH_E2E_FULL (1000000 clicks at full speed; 0 skips), BENCH_E2E_PRODUCERS (8), BENCH_ADS (10000),
// BENCH_E2E_WARMUP (100000 clicks at 10,000/s before the first phase, not reported; 0 skips).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { createPgPool } from '@clicks/store';
import { CpuShare, describeCpu, withCpu } from './support/cpu';
import { calibrationLine, loadLine, machineLine, stealMeter } from './support/machine';
import { BenchWorkspace, freePort, sleep, startApp, waitReady } from './support/processes';
import { BenchReport, fmtInt, fmtMs, isQuick, knob, log, quantile, runBench } from './support/report';

const QUICK = isQuick();
const RATES = (process.env.BENCH_E2E_RATES ?? (QUICK ? '20000' : '20000,40000,60000')).split(',').map(Number);
const SECONDS = knob('BENCH_E2E_SECONDS', QUICK ? 8 : 15);
const FULL = process.env.BENCH_E2E_FULL === '0' ? 0 : knob('BENCH_E2E_FULL', QUICK ? 200_000 : 1_000_000);
const PRODUCERS = knob('BENCH_E2E_PRODUCERS', 8);
const ADS = knob('BENCH_ADS', 10_000);
/**
 * Clicks offered at WARMUP_RATE before the measured phases: a fresh QuestDB compiles its ingestion and apply paths
 * and creates the first partitions in its first seconds under load (probes then took 1-2 s longer than later).
 */
const WARMUP = process.env.BENCH_E2E_WARMUP === '0' ? 0 : knob('BENCH_E2E_WARMUP', 100_000);
const WARMUP_RATE = 10_000;
const BATCH = 2000;
const PROBE_EVERY_MS = 500;
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const COUNTRIES = ['US', 'US', 'US', 'IN', 'BR', 'DE', 'GB', 'FR', 'JP', 'MX'];
/** AGGREGATOR_ROLES=aggregate (passed through to the apps): no raw archive, to see what it costs. */
const ARCHIVE = process.env.AGGREGATOR_ROLES !== 'aggregate';
const TARGET = { endToEnd: 100_000, resolved: 60_000, freshnessP99Ms: 1000, freshnessAtRate: 20_000 };

/** Ad ranks drawn from a Zipf distribution (s = 1) over `n` ads, by inverse CDF on a seeded generator. */
class ZipfAds {
  private readonly cdf: Float64Array;
  private seed = 42;

  constructor(n: number) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) this.cdf[k] = sum += 1 / (k + 1);
    for (let k = 0; k < n; k++) this.cdf[k] /= sum;
  }

  next(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648; // a fixed sequence: runs are comparable
    const u = this.seed / 2147483648;
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

interface System {
  ingest: string;
  gateway: string;
  pool: Pool;
  redis: Redis;
  pids: Record<string, number>;
}

/** Keep-alive connections for the producers: node:http costs the bench process less CPU per request than fetch. */
const PRODUCER_AGENT = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs one NDJSON batch; resolves with the status and body text. */
function postBatch(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: PRODUCER_AGENT,
        headers: { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body), ...AUTH },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts `total` clicks of `prefix` in NDJSON batches from PRODUCERS loops, paced to `rate` (0: as fast as taken). */
async function produce(sys: System, prefix: string, total: number, rate: number): Promise<{ accepted: number }> {
  const zipf = new ZipfAds(ADS);
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  const producer = async () => {
    for (;;) {
      const first = next;
      if (first >= total) return;
      const end = (next = Math.min(total, first + BATCH));
      if (rate > 0) {
        const due = started + (first / rate) * 1000;
        if (due > performance.now()) await sleep(due - performance.now());
      }
      let body = '';
      const ts = Date.now();
      for (let i = first; i < end; i++) {
        const country = COUNTRIES[i % COUNTRIES.length];
        body += `{"eventId":"${prefix}-${i}","adId":"${prefix}-ad-${zipf.next()}","timestamp":${ts},"country":"${country}"}\n`;
      }
      for (let attempt = 0; ; attempt++) {
        const res = await postBatch(`${sys.ingest}/v1/clicks/batch`, body).catch(() => null);
        const text = res?.text ?? '';
        if (res && res.status !== 202 && attempt === 0) log(`batch at ${first}: ${res.status} ${text.slice(0, 200)}`);
        const answer = res?.status === 202 ? (JSON.parse(text) as { accepted?: number; duplicates?: number }) : null;
        if (res?.status === 202 && answer) {
          accepted += (answer.accepted ?? 0) + (answer.duplicates ?? 0); // a retried batch: its clicks are in
          break;
        }
        if (attempt > 100) throw new Error(`batch at ${first} refused: ${res?.status}`);
        await sleep(200);
      }
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, producer));
  return { accepted };
}

async function stored(pool: Pool, prefix: string): Promise<{ counted: number; archived: number }> {
  const like = `${prefix}-ad-%`;
  const [valid, invalid, raw] = await Promise.all(
    [
      'SELECT sum(clicks) n FROM ad_clicks_1m',
      'SELECT sum(clicks) n FROM ad_invalid_clicks_1m',
      'SELECT count() n FROM clicks_raw',
    ].map((sql) => pool.query<{ n: string | number | null }>(`${sql} WHERE ad_id LIKE $1`, [like])),
  );
  const n = (r: typeof valid) => Number(r.rows[0]?.n ?? 0);
  return { counted: n(valid) + n(invalid), archived: n(raw) };
}

/** Probe clicks about every 0.5 s while `running()`: how long from the POST's answer until the gateway counts each. */
async function probeFreshness(sys: System, prefix: string, running: () => boolean): Promise<number[]> {
  const seen: number[] = [];
  const inOrder: number[] = [];
  const pending = new Map<string, number>();
  let i = 0;
  const poll = async (adId: string, probe: number, answeredAt: number) => {
    for (let tries = 0; tries < 600; tries++) {
      const res = await fetch(`${sys.gateway}/v1/ads/${adId}/clicks?minutes=2`, { headers: AUTH }).catch(() => null);
      const total = res?.ok ? ((await res.json()) as { total: number }).total : 0;
      if (total >= 1) {
        seen.push(performance.now() - answeredAt);
        inOrder[probe] = performance.now() - answeredAt;
        pending.delete(adId);
        return;
      }
      await sleep(50);
    }
  };
  const polls: Promise<void>[] = [];
  while (running()) {
    const adId = `${prefix}-probe-${i++}`;
    const res = await fetch(`${sys.ingest}/v1/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ eventId: adId, adId, country: 'US' }),
    }).catch((e: unknown) => {
      log(`probe ${adId} not sent: ${String((e as { cause?: unknown }).cause ?? e)}`);
      return null;
    });
    await res?.text();
    if (res?.status === 202) {
      pending.set(adId, performance.now());
      polls.push(poll(adId, i - 1, performance.now()));
    }
    // At a random phase: probes a fixed 0.5 s apart would keep the same place in the actors' flush cycle.
    await sleep(PROBE_EVERY_MS * (0.5 + Math.random()));
  }
  await Promise.all(polls);
  // In sending order, so a slow start (first partitions, JIT) is told apart from stalls under steady load.
  log(`freshness per probe in sending order (ms): ${inOrder.map((ms) => Math.round(ms)).join(' ')}`);
  return seen.sort((a, b) => a - b);
}

async function phase(report: BenchReport, sys: System, rate: number, total: number): Promise<void> {
  const prefix = `e${rate || 'max'}${randomUUID().slice(0, 4)}`;
  const label = rate > 0 ? `offered ${fmtInt(rate)}/s` : 'full speed';
  log(`${label}: ${fmtInt(total)} clicks over ${ADS} Zipf ads from ${PRODUCERS} producers`);
  let sending = true;
  const t0 = performance.now();
  const { value, shares, wallSeconds } = await withCpu(sys.pids, async () => {
    const probes = probeFreshness(sys, prefix, () => sending);
    const sent = await produce(sys, prefix, total, rate);
    const intakeSeconds = (performance.now() - t0) / 1000;
    sending = false;
    // When each store caught up tells which of them bounds the end-to-end rate.
    const caughtUp = { counted: NaN, archived: ARCHIVE ? NaN : 0 };
    let s = await stored(sys.pool, prefix);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const at = (performance.now() - t0) / 1000;
      if (Number.isNaN(caughtUp.counted) && s.counted >= sent.accepted) caughtUp.counted = at;
      if (Number.isNaN(caughtUp.archived) && s.archived >= sent.accepted) caughtUp.archived = at;
      if (!Number.isNaN(caughtUp.counted + caughtUp.archived) || Date.now() > deadline) break;
      await sleep(250);
      s = await stored(sys.pool, prefix);
    }
    return { sent, intakeSeconds, endSeconds: (performance.now() - t0) / 1000, s, caughtUp, fresh: await probes };
  });
  const { sent, intakeSeconds, endSeconds, s, caughtUp, fresh } = value;
  const e2e = sent.accepted / endSeconds;
  report.add(`${label}: intake, clicks/s`, fmtInt(sent.accepted / intakeSeconds), '');
  report.add(
    `${label}: end to end (counted and archived), clicks/s`,
    `${fmtInt(e2e)} (${fmtInt(sent.accepted)} in ${endSeconds.toFixed(1)} s)`,
    rate === 0 ? `>= ${fmtInt(TARGET.resolved)} (goal ${fmtInt(TARGET.endToEnd)})` : '',
    rate === 0 ? e2e >= TARGET.resolved : undefined,
  );
  report.add(
    `${label}: all sent / counted / archived after`,
    [intakeSeconds, caughtUp.counted, caughtUp.archived]
      .map((t) => (Number.isNaN(t) ? 'not within 300 s' : `${t.toFixed(1)} s`))
      .join(' / '),
    '',
  );
  const p99 = quantile(fresh, 0.99);
  report.add(
    `${label}: freshness under load (POST answered -> counted by the gateway), p50 / p99`,
    `${fmtMs(quantile(fresh, 0.5))} / ${fmtMs(p99)} (${fresh.length} probes)`,
    rate === TARGET.freshnessAtRate ? `p99 <= ${TARGET.freshnessP99Ms} ms` : '',
    rate === TARGET.freshnessAtRate ? p99 <= TARGET.freshnessP99Ms : undefined,
  );
  report.add(`${label}: CPU per click`, cpuLine(shares, wallSeconds, sent.accepted), '');
  report.check(
    `${label}: counted (valid + invalid) and archived == accepted`,
    s.counted === sent.accepted && s.archived === (ARCHIVE ? sent.accepted : 0),
    `accepted ${sent.accepted}, counted ${s.counted}, archived ${s.archived}`,
  );
}

/** Offers WARMUP clicks at WARMUP_RATE and waits until they are counted and archived; nothing is reported. */
async function warmUp(sys: System): Promise<void> {
  const prefix = `w${randomUUID().slice(0, 4)}`;
  log(`warm-up: ${fmtInt(WARMUP)} clicks at ${fmtInt(WARMUP_RATE)}/s (not reported)`);
  const sent = await produce(sys, prefix, WARMUP, WARMUP_RATE);
  const deadline = Date.now() + 300_000;
  for (;;) {
    const s = await stored(sys.pool, prefix);
    if (s.counted >= sent.accepted && (!ARCHIVE || s.archived >= sent.accepted)) return;
    if (Date.now() > deadline) throw new Error(`warm-up not counted after 300 s: ${JSON.stringify(s)}`);
    await sleep(250);
  }
}

function cpuLine(shares: readonly CpuShare[], wallSeconds: number, clicks: number): string {
  const total = shares.reduce((n, s) => n + s.seconds, 0);
  return `${describeCpu(shares, clicks, 'click')}; all ${(total / wallSeconds).toFixed(2)} cores`;
}

async function main() {
  const ws = new BenchWorkspace();
  const report = new BenchReport();
  const loadAtStart = loadLine();
  const calibration = calibrationLine();
  const steal = stealMeter();
  try {
    const [redisServer, questdb] = await Promise.all([ws.startRedis(), ws.startQuestDb()]);
    const [ingestPort, aggregatorPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const env = {
      REDIS_URL: redisServer.url,
      QUESTDB_HTTP_URL: questdb.httpUrl,
      QUESTDB_PG_URL: questdb.pgUrl,
      ADMIN_TOKEN,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      INGEST_PORT: String(ingestPort),
      AGGREGATOR_PORT: String(aggregatorPort),
      GATEWAY_PORT: String(gatewayPort),
    };
    const aggregator = await startApp(ws, 'aggregator', aggregatorPort, env, { waitReady: false });
    const [ingest, gateway] = await Promise.all([
      startApp(ws, 'ingest', ingestPort, env),
      startApp(ws, 'gateway', gatewayPort, env, { waitReady: false }),
    ]);
    await waitReady(aggregator, 'aggregator');
    await waitReady(gateway, 'gateway');
    log(`ingest ${ingest.url}, aggregator ${aggregator.url}, gateway ${gateway.url} (logs in ${ws.dir})`);
    const pool = createPgPool(questdb.pgUrl, 2);
    const redis = new Redis(redisServer.url);
    ws.onCleanup(async () => {
      await pool.end();
      await redis.quit();
    });
    const pid = (p: { child: { pid?: number } }) => p.child.pid ?? 0;
    const sys: System = {
      ingest: ingest.url,
      gateway: gateway.url,
      pool,
      redis,
      pids: {
        ingest: pid(ingest),
        aggregator: pid(aggregator),
        gateway: pid(gateway),
        redis: redisServer.pid,
        questdb: questdb.pid,
        'bench (producers)': process.pid,
      },
    };
    if (WARMUP > 0) await warmUp(sys);
    for (const rate of RATES) await phase(report, sys, rate, rate * SECONDS);
    if (FULL > 0) await phase(report, sys, 0, FULL);
  } finally {
    await ws.cleanup();
  }
  report.print(
    `End to end, ${new Date().toISOString()}${QUICK ? ' (--quick)' : ''}: every component on this machine ` +
      `(Redis, QuestDB, ingest, aggregator ${ARCHIVE ? 'with both roles' : 'without the raw archive'}, gateway), ${PRODUCERS} producers of ${BATCH}-click NDJSON batches` +
      `\n\nMachine: ${machineLine()}; load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${loadLine()} at the end; ${steal()} during the run; ${calibration}`,
  );
  return report.failed;
}

runBench(main);
