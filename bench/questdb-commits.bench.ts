// QuestDB's CPU for the minute aggregates as a function of how the shard actors' flushes reach it (issue 18):
// 16 shard actors each re-write their changed (minute, ad, country) cumulative counts once a second, either at their
// own phase with a writer that sends whenever idle (how it was), or together on the second with the writer's commit
// slots (QUESTDB_COMMIT_INTERVAL_MS). Each way gets a fresh QuestDB with the real schema (and its materialized view),
// the same clicks (Zipf over BENCH_ADS ads, 10 countries) at BENCH_RATE clicks/s for BENCH_SECONDS.
// Also QuestDB's CPU at 20 trivial queries/s with its own logging and worker defaults and with the stack's settings.
// `node bench/run.js questdb-commits`; knobs: BENCH_RATE=10000 BENCH_SECONDS=30 BENCH_ADS=10000 BENCH_SPIN=0 (skip).
import { AggregateWriter, createPgPool, ensureSchema, MinuteCountRow, TABLES } from '@clicks/store';
import { cpuSeconds } from './support/cpu';
import { BenchWorkspace, sleep } from './support/processes';
import { BenchReport } from './support/report';

const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const ADS = Number(process.env.BENCH_ADS ?? 10_000);
const SHARDS = 16;
const TICK_MS = 1000 / SHARDS;

interface Way {
  name: string;
  /** Whether all shards flush on the second (else shard i flushes at its own phase, i/16 of a second). */
  aligned: boolean;
  commitIntervalMs: number;
}

interface Outcome {
  clicks: number;
  rows: number;
  transactions: number;
  questdbSeconds: number;
  wallSeconds: number;
  stored: number;
}

/** Cumulative counts per shard, and which cells changed since that shard's last flush. */
class Shards {
  readonly counts = Array.from({ length: SHARDS }, () => new Map<string, number>());
  readonly dirty = Array.from({ length: SHARDS }, () => new Set<string>());
  private seed = 42;

  click(now: number): void {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    const ad = Math.floor(ADS * Math.pow(this.seed / 2147483648, 3));
    const shard = ad % SHARDS;
    const key = `${Math.floor(now / 60_000) * 60_000}|bench-ad-${ad}|C${ad % 10}`;
    this.counts[shard].set(key, (this.counts[shard].get(key) ?? 0) + 1);
    this.dirty[shard].add(key);
  }

  take(shard: number): MinuteCountRow[] {
    const rows = [...this.dirty[shard]].map((key) => {
      const [ts, adId, country] = key.split('|');
      return { ts: Number(ts), adId, country, shard: `s${shard}`, clicks: this.counts[shard].get(key) ?? 0 };
    });
    this.dirty[shard].clear();
    return rows;
  }
}

async function run(way: Way): Promise<Outcome> {
  const ws = new BenchWorkspace();
  try {
    const questdb = await ws.startQuestDb();
    const pool = createPgPool(questdb.pgUrl);
    ws.onCleanup(() => pool.end());
    await ensureSchema(pool);
    const writer = await AggregateWriter.connect(questdb.httpUrl, undefined, way.commitIntervalMs);
    ws.onCleanup(() => writer.close());
    const shards = new Shards();
    const flushes: Promise<void>[] = [];
    let clicks = 0;
    let rows = 0;
    const flush = (s: number) => {
      const batch = shards.take(s);
      rows += batch.length;
      flushes.push(writer.write(batch));
    };
    const cpu0 = cpuSeconds(questdb.pid);
    const t0 = Date.now();
    for (let tick = 1; tick <= SECONDS * SHARDS; tick++) {
      const now = Date.now();
      for (let i = 0; i < RATE / SHARDS; i++, clicks++) shards.click(now);
      if (!way.aligned) flush(tick % SHARDS);
      else if (tick % SHARDS === 0) for (let s = 0; s < SHARDS; s++) flush(s);
      await sleep(Math.max(0, t0 + tick * TICK_MS - Date.now()));
    }
    for (let s = 0; s < SHARDS; s++) flush(s);
    await Promise.all(flushes);
    const applied = async () => {
      const r = await pool.query<{ w: string; s: string }>(
        `SELECT writerTxn w, sequencerTxn s FROM wal_tables() WHERE name = '${TABLES.minuteCounts}'`,
      );
      return Number(r.rows[0].w) >= Number(r.rows[0].s) ? Number(r.rows[0].s) : -1;
    };
    let transactions = -1;
    while ((transactions = await applied()) < 0) await sleep(100);
    const questdbSeconds = cpuSeconds(questdb.pid) - cpu0;
    const wallSeconds = (Date.now() - t0) / 1000;
    const sum = await pool.query<{ n: string }>(`SELECT sum(clicks) n FROM ${TABLES.minuteCounts}`);
    return { clicks, rows, transactions, questdbSeconds, wallSeconds, stored: Number(sum.rows[0].n) };
  } finally {
    await ws.cleanup();
  }
}

/** QuestDB's own defaults for what scripts/lib/stack.js changes (INFO logging, long spinning of idle workers). */
const QUESTDB_DEFAULTS = {
  QDB_LOG_W_STDOUT_LEVEL: 'INFO',
  QDB_SHARED_WORKER_YIELD_THRESHOLD: '10',
  QDB_SHARED_WORKER_NAP_THRESHOLD: '7000',
  QDB_SHARED_WORKER_SLEEP_THRESHOLD: '10000',
};

/** QuestDB's cores while it answers 20 trivial queries a second for 10 s (after 5 s of rest). */
async function spinning(env: Record<string, string>): Promise<number> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const ws = new BenchWorkspace();
  try {
    const questdb = await ws.startQuestDb();
    Object.assign(process.env, saved);
    await sleep(5000);
    const cpu0 = cpuSeconds(questdb.pid);
    const t0 = Date.now();
    for (let i = 1; i <= 200; i++) {
      await fetch(`${questdb.httpUrl}/exec?query=select%201`).then((r) => r.text());
      await sleep(Math.max(0, t0 + i * 50 - Date.now()));
    }
    return (cpuSeconds(questdb.pid) - cpu0) / ((Date.now() - t0) / 1000);
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) delete process.env[k];
    await ws.cleanup();
  }
}

async function main(): Promise<void> {
  const report = new BenchReport();
  if (process.env.BENCH_SPIN !== '0') {
    report.add(`QuestDB's defaults: CPU at 20 queries/s`, `${(await spinning(QUESTDB_DEFAULTS)).toFixed(2)} cores`);
    report.add(`scripts/lib/stack.js settings: CPU at 20 queries/s`, `${(await spinning({})).toFixed(2)} cores`);
  }
  const ways: Way[] = [
    { name: 'each shard at its own phase, sent whenever idle', aligned: false, commitIntervalMs: 0 },
    { name: 'all shards on the second, commit slots of 250 ms', aligned: true, commitIntervalMs: 250 },
  ];
  for (const way of ways) {
    const o = await run(way);
    const cores = o.questdbSeconds / o.wallSeconds;
    report.add(
      `${way.name}: QuestDB CPU`,
      `${cores.toFixed(2)} cores, ${((o.questdbSeconds * 1e6) / o.clicks).toFixed(0)} µs/click ` +
        `(${o.rows.toLocaleString('en-US')} rows, ${(o.rows / o.clicks).toFixed(2)} per click, ` +
        `${o.transactions} transactions in ${o.wallSeconds.toFixed(1)} s)`,
    );
    report.check(`${way.name}: stored counts`, o.stored === o.clicks, `sum(clicks) ${o.stored}, sent ${o.clicks}`);
  }
  report.print(
    `QuestDB commits, ${new Date().toISOString()}: ${RATE.toLocaleString('en-US')} clicks/s over ${ADS} Zipf ads ` +
      `and 10 countries, ${SHARDS} shards flushing every second, ${SECONDS} s each way`,
  );
  process.exitCode = report.failed > 0 ? 1 : 0;
}

void main();
