// Intake throughput and latency (issue 3): single clicks, batches and redirect clicks against the ingest app (child
// processes: INGEST_PROCESSES of them) and its own redis-server, loaded by wrk (bench/support/wrk.ts). After each
// phase the clicks in the shard streams must match the clicks the app said it accepted: every click answered 2xx is stored,
// and nothing else is except clicks of requests still in flight when the load stopped or answered 503 (a sender
// would re-send those and get duplicates).
// Usage: node -r @swc-node/register -r tsconfig-paths/register bench/intake.bench.ts [--quick]
// Knobs (env): BENCH_SECONDS (15; 5 with --quick) per phase, BENCH_CONNECTIONS (128), BENCH_FIXED_RATES
// (10000,20000 req/s, each offered evenly for up to 10 s), BENCH_FIXED_CONNECTIONS (128), BENCH_BATCH_SIZE (1000),
// BENCH_BATCH_CONNECTIONS (8), BENCH_INGEST_PROCESSES (cores - 1, at least 1), BENCH_INGEST_NODE_OPTIONS (NODE_OPTIONS of the app
// only), BENCH_PHASES (all of single,fixed,batch,redirect).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { BenchWorkspace, freePort, sleep, startApp } from './support/processes';
import { runLoad } from './support/load';
import { BenchReport, fmtInt, fmtMs, isQuick, knob, log, runBench } from './support/report';
import { totalStreamClicks } from './support/streams';
import { describeCpu, withTreeCpu } from './support/cpu';
import { runWrk, WrkResult } from './support/wrk';

const QUICK = isQuick();
const SECONDS = knob('BENCH_SECONDS', QUICK ? 5 : 15);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 128);
const FIXED_RATES = (process.env.BENCH_FIXED_RATES ?? '10000,20000').split(',').map(Number);
const FIXED_CONNECTIONS = knob('BENCH_FIXED_CONNECTIONS', 128);
const BATCH_SIZE = knob('BENCH_BATCH_SIZE', 1000);
const BATCH_CONNECTIONS = knob('BENCH_BATCH_CONNECTIONS', 8);
const SHARDS = 16;
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;
/** As under `npm start`: one per core but one, which Redis and wrk need (on 2 cores one measured faster than two). */
const INGEST_PROCESSES = knob('BENCH_INGEST_PROCESSES', Math.max(1, cpus().length - 1));
const PHASES = new Set((process.env.BENCH_PHASES ?? 'single,fixed,batch,redirect').split(','));
const TARGET = { singlePerSec: 20_000, batchEventsPerSec: 150_000, p99Ms: 20 };

const run = randomUUID().slice(0, 6);

/** Requests that may have stored clicks without being answered 2xx: in flight at the stop, 5xx, socket errors. */
const unanswered = (r: WrkResult, connections: number) => connections + r.statusErrors + r.socketErrors;

/** Every click answered as accepted is in a stream, and at most the unanswered ones are there besides. */
/** Every accepted click is stored, and a phase that accepted nothing (all refused) measured nothing: it fails. */
const storedAsAnswered = (added: number, accepted: number, maybe: number) =>
  accepted > 0 && added >= accepted && added <= accepted + maybe;

const describeRun = (r: WrkResult) =>
  `${fmtInt(r.requests)} answered in ${r.seconds.toFixed(1)} s, ${r.statusErrors} answered >= 400, ` +
  `${r.socketErrors} socket errors`;

async function main() {
  const ws = new BenchWorkspace();
  const report = new BenchReport();
  try {
    const redisServer = await ws.startRedis();
    const redis = new Redis(redisServer.url);
    ws.onCleanup(async () => void (await redis.quit()));
    const port = await freePort();
    log('starting ingest (child process)');
    const ingest = await startApp(ws, 'ingest', port, {
      REDIS_URL: redisServer.url,
      INGEST_PORT: String(port),
      HOST: '127.0.0.1',
      SHARD_COUNT: String(SHARDS),
      ADMIN_TOKEN,
      // The limits run (their Redis round trip is part of the cost) but never bite at bench rates.
      PARTNER_EVENTS_PER_SECOND: '1000000000',
      CLIENT_IP_REQUESTS_PER_SECOND: '1000000000',
      IMPRESSION_KEYS: `bench:${randomUUID()}`,
      LOG_LEVEL: 'warn',
      INGEST_PROCESSES: String(INGEST_PROCESSES),
      // e.g. BENCH_INGEST_NODE_OPTIONS=--max-semi-space-size=32 to try V8 settings on the app alone
      ...(process.env.BENCH_INGEST_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_INGEST_NODE_OPTIONS } : {}),
    });

    const url = ingest.url;
    // Clicks are sent as a partner would: with a partner key (verified, cached, rate-limited per key). Keys live in
    // Redis, so one is minted again after each FLUSHALL between phases.
    const mintPartnerKey = async () => {
      const minted = await fetch(`${url}/v1/admin/partners/bench/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (minted.status !== 201) throw new Error(`POST /v1/admin/partners/bench/keys: ${minted.status}`);
      return `Bearer ${((await minted.json()) as { key: string }).key}`;
    };
    let partnerAuth = await mintPartnerKey();
    /** Clicks in the streams once the requests still in flight when the last load stopped have been stored (no growth for 300 ms). */
    const settledStreamLength = async () => {
      let last = await totalStreamClicks(redis, SHARDS);
      for (;;) {
        await sleep(300);
        const now = await totalStreamClicks(redis, SHARDS);
        if (now === last) return now;
        last = now;
      }
    };
    const pids = { ingest: ingest.child.pid ?? 0, redis: redisServer.pid, 'wrk (and the bench)': process.pid };
    /**
     * Clicks in all shard streams before and after `phase` (its growth is checked against what the app accepted),
     * and the CPU each process used meanwhile (a table row), to show which one limits the phase.
     */
    const streamGrowth = async <T>(name: string, phase: () => Promise<T>): Promise<{ value: T; added: number }> => {
      const before = await settledStreamLength();
      const { value, shares } = await withTreeCpu(pids, phase);
      const added = (await settledStreamLength()) - before;
      report.add(`CPU used during ${name}`, describeCpu(shares, added, 'click'), '');
      return { value, added };
    };
    const clicks = (prefix: string, seconds: number, connections: number, size: number, ratePerSec?: number) =>
      runWrk({
        url,
        path: size === 1 ? '/v1/clicks' : '/v1/clicks/batch',
        script: 'clicks',
        args: [`${prefix}-${run}`, String(size), partnerAuth],
        seconds,
        connections,
        ratePerSec,
      });

    // --- single clicks
    log('warm-up: single clicks');
    await clicks('w', QUICK ? 2 : 5, CONNECTIONS, 1);
    if (PHASES.has('single')) {
      log(`single clicks at full speed for ${SECONDS} s, ${CONNECTIONS} connections`);
      const s = await streamGrowth('single clicks at full speed', () => clicks('s', SECONDS, CONNECTIONS, 1));
      report.add(
        `single clicks, req/s (${CONNECTIONS} connections)`,
        fmtInt(s.value.perSecond),
        `>= ${fmtInt(TARGET.singlePerSec)}`,
        s.value.perSecond >= TARGET.singlePerSec,
      );
      report.add('single clicks at full speed, p50 / p99', `${fmtMs(s.value.p50Ms)} / ${fmtMs(s.value.p99Ms)}`, '');
      const accepted = s.value.requests - s.value.statusErrors;
      report.check(
        'single: stream entries == accepted',
        storedAsAnswered(s.added, accepted, unanswered(s.value, CONNECTIONS)),
        `stream clicks grew by ${s.added}; ${describeRun(s.value)}`,
      );
    }
    if (PHASES.has('fixed')) {
      for (const rate of FIXED_RATES) {
        const seconds = Math.min(SECONDS, 10);
        const connections = FIXED_CONNECTIONS;
        log(`single clicks offered at ${rate}/s for ${seconds} s`);
        const f = await streamGrowth(`${fmtInt(rate)}/s offered`, () =>
          clicks(`f${rate}`, seconds, connections, 1, rate),
        );
        report.add(
          `single clicks at ${fmtInt(rate)}/s offered evenly, p99`,
          `${fmtMs(f.value.p99Ms)} (p50 ${fmtMs(f.value.p50Ms)}, achieved ${fmtInt(f.value.perSecond)}/s)`,
          `<= ${TARGET.p99Ms} ms`,
          f.value.p99Ms <= TARGET.p99Ms && f.value.perSecond >= rate * 0.98,
        );
        report.check(
          `fixed ${rate}/s: stream entries == accepted`,
          storedAsAnswered(f.added, f.value.requests - f.value.statusErrors, unanswered(f.value, connections)),
          `stream clicks grew by ${f.added}; ${describeRun(f.value)}`,
        );
      }
    }
    await redis.flushall('ASYNC');
    partnerAuth = await mintPartnerKey();

    // --- batches
    if (PHASES.has('batch')) {
      log(`warm-up: batches of ${BATCH_SIZE}`);
      await clicks('wb', QUICK ? 2 : 5, BATCH_CONNECTIONS, BATCH_SIZE);
      log(`batches at full speed for ${SECONDS} s: ${BATCH_SIZE} per batch, ${BATCH_CONNECTIONS} connections`);
      const b = await streamGrowth('batches', () => clicks('b', SECONDS, BATCH_CONNECTIONS, BATCH_SIZE));
      const accepted = (b.value.requests - b.value.statusErrors) * BATCH_SIZE;
      report.add(
        `batch intake, events/s (${BATCH_SIZE}/batch, ${BATCH_CONNECTIONS} connections)`,
        fmtInt(accepted / b.value.seconds),
        `>= ${fmtInt(TARGET.batchEventsPerSec)}`,
        accepted / b.value.seconds >= TARGET.batchEventsPerSec,
      );
      report.add('batch request p50 / p99', `${fmtMs(b.value.p50Ms)} / ${fmtMs(b.value.p99Ms)}`, '');
      report.check(
        'batch: stream entries == accepted',
        storedAsAnswered(b.added, accepted, unanswered(b.value, BATCH_CONNECTIONS) * BATCH_SIZE),
        `stream clicks grew by ${b.added}, ${fmtInt(accepted)} accepted; ${describeRun(b.value)}`,
      );
      await redis.flushall('ASYNC');
      partnerAuth = await mintPartnerKey();
    }

    // --- redirect clicks: register ads, issue one impression per click, follow each link once
    if (PHASES.has('redirect')) {
      const adIds = Array.from({ length: 20 }, (_, i) => `bench-ad-${i}`);
      for (const adId of adIds) {
        const res = await fetch(`${url}/v1/ads/${adId}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
          body: JSON.stringify({ targetUrl: 'https://example.com/landing', advertiserId: 'adv-1', campaignId: 'c-1' }),
        });
        if (res.status !== 201 && res.status !== 200) throw new Error(`PUT /v1/ads/${adId}: ${res.status}`);
      }
      // More links than the run can follow at the single-click rate, so that none is followed twice.
      const tokenCount = Math.round(TARGET.singlePerSec * 1.5 * SECONDS);
      const tokens: string[] = [];
      log(`issuing ${tokenCount} impressions`);
      const issued = await runLoad({
        url,
        method: 'POST',
        request: (i) => ({ path: '/v1/impressions', body: `{"adId":"${adIds[i % adIds.length]}"}` }),
        headers: { authorization: partnerAuth },
        amount: tokenCount,
        connections: 64,
        onResponse: (status, body) => {
          if (status === 201) tokens.push((JSON.parse(body) as { token: string }).token);
        },
      });
      report.add('impressions issued, req/s (autocannon)', fmtInt(issued.perSecond), '');
      const tokenFile = join(ws.dir, 'tokens.txt');
      writeFileSync(tokenFile, tokens.join('\n') + '\n');
      log(`redirect clicks for ${SECONDS} s over ${tokens.length} distinct links`);
      const r = await streamGrowth('redirects', () =>
        runWrk({ url, script: 'redirect', args: [tokenFile], seconds: SECONDS, connections: CONNECTIONS }),
      );
      const followed = r.value.requests - r.value.statusErrors;
      report.add('redirect clicks GET /v1/r/:token, req/s (distinct links)', fmtInt(r.value.perSecond), '');
      report.add('redirect p50 / p99', `${fmtMs(r.value.p50Ms)} / ${fmtMs(r.value.p99Ms)}`, '');
      // Each link counts once: a link followed again (when the run outlasts the links) is a duplicate.
      const counted = Math.min(followed, tokens.length);
      report.check(
        'redirect: stream entries == distinct links followed',
        storedAsAnswered(r.added, counted, Math.min(unanswered(r.value, CONNECTIONS), tokens.length - counted)),
        `stream clicks grew by ${r.added} for ${tokens.length} links; ${describeRun(r.value)}`,
      );
    }
  } finally {
    await ws.cleanup();
  }
  report.print(
    `Intake, ${new Date().toISOString()}${QUICK ? ' (--quick)' : ''}: INGEST_PROCESSES=${INGEST_PROCESSES}, ` +
      `SHARD_COUNT=${SHARDS}, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ` +
      `wrk (one thread), redis-server and the app on the same ${cpus().length}-core machine`,
  );
  return report.failed;
}

runBench(main);
