// Intake throughput and latency (issue 3): single clicks, batches and redirect clicks against one ingest process
// (a child process, so autocannon here never shares its event loop) and its own redis-server. After each phase the
// shard streams' XLEN must equal the clicks the app said it accepted (a 503 under overload is reported, not an
// error: the sender would retry it).
// Usage: node -r @swc-node/register -r tsconfig-paths/register bench/intake.bench.ts [--quick]
// Knobs (env): BENCH_SECONDS (15; 5 with --quick) per max-throughput phase, BENCH_CONNECTIONS (64),
// BENCH_FIXED_RATE (5000 req/s), BENCH_BATCH_SIZE (1000), BENCH_BATCH_CONNECTIONS (8), BENCH_INGEST_PROCESSES (1:
// INGEST_PROCESSES of the app), BENCH_INGEST_NODE_OPTIONS (NODE_OPTIONS of the app only), BENCH_PHASES (all of single,fixed,batch,redirect; e.g. "batch" to profile one phase).
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import Redis from 'ioredis';
import { BenchWorkspace, freePort, startApp } from './support/processes';
import { runLoad, statusSummary } from './support/load';
import { BenchReport, fmtInt, fmtMs, isQuick, knob, log } from './support/report';
import { totalStreamLength } from './support/streams';
import { describeCpu, withTreeCpu } from './support/cpu';

const QUICK = isQuick();
const SECONDS = knob('BENCH_SECONDS', QUICK ? 5 : 15);
const CONNECTIONS = knob('BENCH_CONNECTIONS', 64);
const FIXED_RATE = knob('BENCH_FIXED_RATE', 5000);
const BATCH_SIZE = knob('BENCH_BATCH_SIZE', 1000);
const BATCH_CONNECTIONS = knob('BENCH_BATCH_CONNECTIONS', 8);
const SHARDS = 16;
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;
const COUNTRIES = ['US', 'US', 'US', 'IN', 'BR', 'DE', 'GB', 'FR', 'JP', 'MX'];
const INGEST_PROCESSES = knob('BENCH_INGEST_PROCESSES', 1);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'single,fixed,batch,redirect').split(','));
const TARGET = { singlePerSec: 20_000, batchEventsPerSec: 150_000, p99Ms: 20 };

const run = randomUUID().slice(0, 6);

/** Requests not answered 2xx (503 under overload, timeouts): their clicks may or may not have been stored. */
const unanswered = (r: { statuses: Record<number, number>; errors: number }) => (r.statuses[503] ?? 0) + r.errors;

/**
 * Every click answered as accepted is in a stream (no 2xx without storage), and nothing else is, except clicks of
 * requests answered 503 or not at all, which a sender would re-send (and then get as duplicates).
 */
const storedAsAnswered = (added: number, accepted: number, maybe: number) =>
  added >= accepted && added <= accepted + maybe;

/** A click as a sender would post it: distinct event id, a few thousand ads, realistic optional fields. */
function clickJson(prefix: string, i: number): string {
  return (
    `{"eventId":"${prefix}-${run}-${i}","adId":"ad-${i % 5000}","country":"${COUNTRIES[i % COUNTRIES.length]}",` +
    `"userId":"u-${i % 100_000}","ip":"198.51.100.${i % 250}"}`
  );
}

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
      IMPRESSION_KEYS: `bench:${randomUUID()}`,
      LOG_LEVEL: 'warn',
      INGEST_PROCESSES: String(INGEST_PROCESSES),
      // e.g. BENCH_INGEST_NODE_OPTIONS=--max-semi-space-size=32 to try V8 settings on the app alone
      ...(process.env.BENCH_INGEST_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_INGEST_NODE_OPTIONS } : {}),
    });

    const pids = { ingest: ingest.child.pid ?? 0, redis: redisServer.pid, 'autocannon (bench)': process.pid };
    /**
     * XLEN over all shard streams before and after `phase` (its growth must equal what the app accepted), and the
     * CPU each process used meanwhile (a table row), to show which one limits the phase.
     */
    const streamGrowth = async <T>(name: string, phase: () => Promise<T>): Promise<{ value: T; added: number }> => {
      const before = await totalStreamLength(redis, SHARDS);
      const { value, shares } = await withTreeCpu(pids, phase);
      const added = (await totalStreamLength(redis, SHARDS)) - before;
      report.add(`CPU used during ${name}`, describeCpu(shares, added, 'click'), '');
      return { value, added };
    };

    // --- single clicks
    const single = (prefix: string, amount: number, overallRate?: number) => {
      let accepted = 0;
      return runLoad({
        url: ingest.url,
        method: 'POST',
        request: (i) => ({ path: '/v1/clicks', body: clickJson(prefix, i) }),
        amount,
        // autocannon keeps one request in flight per connection: at a fixed rate, enough that slow answers do not
        // cap the offered rate (64 connections at 15 ms each would offer at most ~4,300/s).
        connections: overallRate ? Math.max(CONNECTIONS, 256) : CONNECTIONS,
        overallRate,
        onResponse: (status, body) => {
          if (status === 202 && (JSON.parse(body) as { duplicate: boolean }).duplicate === false) accepted++;
        },
      }).then((r) => ({ ...r, accepted }));
    };
    log('warm-up: single clicks');
    const warm = await single('w', QUICK ? 3000 : 10_000);
    if (PHASES.has('single')) {
      const singleAmount = Math.max(5000, Math.round(warm.perSecond * SECONDS));
      log(`single clicks at full speed: ${singleAmount} requests, ${CONNECTIONS} connections`);
      const s = await streamGrowth('single clicks at full speed', () => single('s', singleAmount));
      report.add(
        `single clicks, req/s (${CONNECTIONS} connections)`,
        fmtInt(s.value.perSecond),
        `>= ${fmtInt(TARGET.singlePerSec)}`,
        s.value.perSecond >= TARGET.singlePerSec,
      );
      report.add('single clicks at full speed, p50 / p99', `${fmtMs(s.value.p50Ms)} / ${fmtMs(s.value.p99Ms)}`, '');
      report.check(
        'single: stream entries == accepted',
        storedAsAnswered(s.added, s.value.accepted, unanswered(s.value)),
        `XLEN grew by ${s.added}, accepted ${s.value.accepted} of ${singleAmount} sent (${statusSummary(s.value.statuses)}; errors ${s.value.errors})`,
      );
    }
    if (PHASES.has('fixed')) {
      const fixedAmount = Math.round(FIXED_RATE * Math.min(SECONDS, 10));
      log(`single clicks at a fixed ${FIXED_RATE}/s: ${fixedAmount} requests`);
      const f = await streamGrowth('the fixed rate', () => single('f', fixedAmount, FIXED_RATE));
      report.add(
        `single clicks at ${fmtInt(FIXED_RATE)}/s offered, p99`,
        `${fmtMs(f.value.p99Ms)} (p50 ${fmtMs(f.value.p50Ms)}, achieved ${fmtInt(f.value.perSecond)}/s)`,
        `<= ${TARGET.p99Ms} ms`,
        f.value.p99Ms <= TARGET.p99Ms,
      );
      report.check(
        'fixed rate: stream entries == accepted',
        storedAsAnswered(f.added, f.value.accepted, unanswered(f.value)),
        `XLEN grew by ${f.added}, accepted ${f.value.accepted} of ${fixedAmount}`,
      );
    }
    await redis.flushall('ASYNC');

    // --- batches
    const batches = (prefix: string, amount: number) => {
      let accepted = 0;
      return runLoad({
        url: ingest.url,
        method: 'POST',
        request: (b) => {
          const events: string[] = [];
          for (let k = 0; k < BATCH_SIZE; k++) events.push(clickJson(prefix, b * BATCH_SIZE + k));
          return { path: '/v1/clicks/batch', body: `[${events.join(',')}]` };
        },
        amount,
        connections: BATCH_CONNECTIONS,
        onResponse: (status, body) => {
          if (status === 202) accepted += (JSON.parse(body) as { accepted: number }).accepted;
        },
      }).then((r) => ({ ...r, accepted, eventsPerSecond: accepted / r.seconds }));
    };
    if (PHASES.has('batch')) {
      log(`warm-up: batches of ${BATCH_SIZE}`);
      const warmBatch = await batches('wb', QUICK ? 10 : 30);
      const batchAmount = Math.max(20, Math.round(warmBatch.perSecond * SECONDS));
      log(`batches at full speed: ${batchAmount} batches of ${BATCH_SIZE}, ${BATCH_CONNECTIONS} connections`);
      const b = await streamGrowth('batches', () => batches('b', batchAmount));
      report.add(
        `batch intake, events/s (${BATCH_SIZE}/batch, ${BATCH_CONNECTIONS} connections)`,
        fmtInt(b.value.eventsPerSecond),
        `>= ${fmtInt(TARGET.batchEventsPerSec)}`,
        b.value.eventsPerSecond >= TARGET.batchEventsPerSec,
      );
      report.add('batch request p50 / p99', `${fmtMs(b.value.p50Ms)} / ${fmtMs(b.value.p99Ms)}`, '');
      report.check(
        'batch: stream entries == accepted',
        storedAsAnswered(b.added, b.value.accepted, unanswered(b.value) * BATCH_SIZE),
        `XLEN grew by ${b.added}, accepted ${b.value.accepted} of ${batchAmount * BATCH_SIZE} (${statusSummary(b.value.statuses)})`,
      );
      await redis.flushall('ASYNC');
    }

    // --- redirect clicks: register ads, issue one impression per click, follow each link once
    if (PHASES.has('redirect')) {
      const adIds = Array.from({ length: 20 }, (_, i) => `bench-ad-${i}`);
      for (const adId of adIds) {
        const res = await fetch(`${ingest.url}/v1/ads/${adId}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
          body: JSON.stringify({ targetUrl: 'https://example.com/landing', advertiserId: 'adv-1', campaignId: 'c-1' }),
        });
        if (res.status !== 201 && res.status !== 200) throw new Error(`PUT /v1/ads/${adId}: ${res.status}`);
      }
      const tokenCount = Math.max(5000, Math.round(warm.perSecond * SECONDS));
      const tokens: string[] = [];
      log(`issuing ${tokenCount} impressions`);
      const issued = await runLoad({
        url: ingest.url,
        method: 'POST',
        request: (i) => ({ path: '/v1/impressions', body: `{"adId":"${adIds[i % adIds.length]}"}` }),
        amount: tokenCount,
        connections: CONNECTIONS,
        onResponse: (status, body) => {
          if (status === 201) tokens.push((JSON.parse(body) as { token: string }).token);
        },
      });
      report.add('impressions issued, req/s', fmtInt(issued.perSecond), '');
      log(`redirect clicks: ${tokens.length} distinct tokens, each clicked once`);
      const r = await streamGrowth('redirects', () =>
        runLoad({
          url: ingest.url,
          method: 'GET',
          request: (i) => ({ path: `/v1/r/${tokens[i % tokens.length]}` }),
          amount: tokens.length,
          connections: CONNECTIONS,
        }),
      );
      const redirected = r.value.statuses[302] ?? 0;
      report.add(
        'redirect clicks GET /v1/r/:token, req/s (distinct tokens)',
        fmtInt(r.value.perSecond),
        `>= ${fmtInt(TARGET.singlePerSec)}`,
        r.value.perSecond >= TARGET.singlePerSec,
      );
      report.add('redirect p50 / p99', `${fmtMs(r.value.p50Ms)} / ${fmtMs(r.value.p99Ms)}`, '');
      report.check(
        'redirect: stream entries == 302 answers (each token once)',
        r.added === redirected,
        `XLEN grew by ${r.added}, ${redirected} redirects for ${tokens.length} tokens (${statusSummary(r.value.statuses)})`,
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
      'autocannon in the bench process, redis-server on the same machine',
  );
  return report.failed;
}

main()
  .then((failed) => process.exit(failed > 0 ? 1 : 0))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
