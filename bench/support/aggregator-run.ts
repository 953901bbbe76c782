// Runs aggregator worker processes over pre-filled shard streams and times them until both consumer groups (the
// aggregating actors and the raw archive) have read and acknowledged everything. The clicks are staged under other
// keys and swapped in once the workers own their shards, so only steady-state consumption is timed.
import Redis from 'ioredis';
import { AppProcess, BenchWorkspace, freePort, sleep, startApp, waitUntil } from './processes';
import { CpuShare, withCpu } from './cpu';
import { log } from './report';
import { CONSUMER_GROUPS, GroupProgress, groupProgress, publishStaged } from './streams';

export interface WorkerRunSpec {
  workers: number;
  events: number;
  shards: number;
  adminToken: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Other processes whose CPU use is reported (e.g. redis, questdb). */
  serverPids: Record<string, number>;
  /** Whether to wait for the archive group too (default true); false when these workers do not archive. */
  awaitArchive?: boolean;
}

export interface WorkerRun {
  /** From publishing the clicks to aggregate lag 0 with nothing pending; null if not reached in time. */
  aggregateSeconds: number | null;
  /** The same for the archive group. */
  archiveSeconds: number | null;
  /** From spawning the processes to a settled assignment (every shard leased). */
  startupSeconds: number;
  timeoutS: number;
  applied: number;
  late: number;
  malformed: number;
  shardsPerWorker: number[];
  /** CPU use from publishing until both groups caught up (or the timeout). */
  cpu: CpuShare[];
}

interface ShardsView {
  worker: { liveWorkers: string[]; ownedShards: number[] };
  shards: {
    owner: string | null;
    local: { epoch: number; applied: number; late: number; malformed: number } | null;
  }[];
}

const POLL_MS = 100;

/**
 * Starts the workers on empty shard streams, waits until every shard is leased and the assignment has settled (so
 * neither process start-up nor the first rebalance is timed), then publishes the staged clicks and polls the
 * groups every 100 ms until both caught up.
 */
export async function measureWorkers(ws: BenchWorkspace, redis: Redis, spec: WorkerRunSpec): Promise<WorkerRun> {
  const ports = await Promise.all(Array.from({ length: spec.workers }, () => freePort()));
  log(`starting ${spec.workers} aggregator worker(s) on empty streams`);
  const spawnedAt = performance.now();
  const workers: AppProcess[] = await Promise.all(
    ports.map((port, k) =>
      startApp(
        ws,
        'aggregator',
        port,
        { ...spec.env, AGGREGATOR_PORT: String(port), WORKER_ID: `bench-w${k + 1}` },
        { logName: `aggregator-${spec.workers}w-${k + 1}` },
      ),
    ),
  );
  await waitUntil('a settled shard assignment', 60_000, async () =>
    settled(await Promise.all(workers.map((w) => shardsView(w, spec.adminToken))), spec),
  );
  const startupSeconds = (performance.now() - spawnedAt) / 1000;
  log(`assignment settled after ${startupSeconds.toFixed(1)} s; publishing ${spec.events} staged clicks`);
  const pids = {
    ...Object.fromEntries(workers.map((w, k) => [`worker ${k + 1}`, w.child.pid ?? 0])),
    ...spec.serverPids,
  };
  await publishStaged(redis, spec.shards);
  const publishedAt = performance.now();
  let aggregateDoneAt: number | null = null;
  let archiveDoneAt: number | null = null;
  const deadline = publishedAt + spec.timeoutMs;
  const awaitArchive = spec.awaitArchive ?? true;
  const { shares } = await withCpu(pids, async () => {
    while (performance.now() < deadline && (aggregateDoneAt === null || (awaitArchive && archiveDoneAt === null))) {
      for (const w of workers) if (w.child.exitCode !== null) throw new Error(`a worker exited (${w.child.exitCode})`);
      const [agg, archive] = await Promise.all([
        groupProgress(redis, spec.shards, CONSUMER_GROUPS.aggregate),
        groupProgress(redis, spec.shards, CONSUMER_GROUPS.archive),
      ]);
      const now = performance.now();
      const caughtUp = (g: GroupProgress) => g.missing === 0 && g.undelivered === 0 && g.pending === 0;
      if (aggregateDoneAt === null && caughtUp(agg)) aggregateDoneAt = now;
      if (archiveDoneAt === null && caughtUp(archive)) archiveDoneAt = now;
      await sleep(POLL_MS);
    }
  });
  const views = await Promise.all(workers.map((w) => shardsView(w, spec.adminToken)));
  const locals = views.flatMap((v) => v.shards.map((s) => s.local).filter((l) => l !== null));
  await Promise.all(workers.map((w) => w.stop()));
  const since = (t: number | null) => (t === null ? null : (t - publishedAt) / 1000);
  return {
    aggregateSeconds: since(aggregateDoneAt),
    archiveSeconds: since(archiveDoneAt),
    startupSeconds,
    timeoutS: spec.timeoutMs / 1000,
    applied: locals.reduce((n, l) => n + l.applied, 0),
    late: locals.reduce((n, l) => n + l.late, 0),
    malformed: locals.reduce((n, l) => n + l.malformed, 0),
    shardsPerWorker: views.map((v) => v.shards.filter((s) => s.local !== null).length),
    cpu: shares,
  };
}

/** Every worker sees all of them live, each shard is hosted by exactly one and leased. */
function settled(views: ShardsView[], spec: WorkerRunSpec): boolean {
  if (views.some((v) => v.worker.liveWorkers.length !== spec.workers)) return false;
  const owned = views.flatMap((v) => v.worker.ownedShards);
  if (owned.length !== spec.shards || new Set(owned).size !== spec.shards) return false;
  const leased = views.flatMap((v) => v.shards.filter((s) => s.local !== null && s.owner !== null));
  return leased.length === spec.shards && leased.every((s) => (s.local?.epoch ?? 0) > 0);
}

async function shardsView(worker: AppProcess, adminToken: string): Promise<ShardsView> {
  const res = await fetch(`${worker.url}/v1/admin/shards`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) throw new Error(`GET /v1/admin/shards: ${res.status} ${await res.text()}`);
  return (await res.json()) as ShardsView;
}
