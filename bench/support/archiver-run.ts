// Times an archive-only aggregator process (AGGREGATOR_ROLES=archive) draining the `archive` consumer group of
// streams that are already filled: from the moment it reports ready (every shard's archive actor started) until the
// group has read and acknowledged everything; the rate counts only what was left at that moment.
import Redis from 'ioredis';
import { BenchWorkspace, freePort, sleep, startApp } from './processes';
import { CpuShare, withCpu } from './cpu';
import { log } from './report';
import { CONSUMER_GROUPS, groupProgress } from './streams';

export interface ArchiverRun {
  /** Entries the archiver still had to archive when it became ready. */
  entries: number;
  /** Seconds from ready until the archive group caught up; null if not reached in time. */
  seconds: number | null;
  cpu: CpuShare[];
}

export async function measureArchiver(
  ws: BenchWorkspace,
  redis: Redis,
  spec: { shards: number; env: Record<string, string>; timeoutMs: number; serverPids: Record<string, number> },
): Promise<ArchiverRun> {
  const port = await freePort();
  log('starting an archive-only process (AGGREGATOR_ROLES=archive)');
  const archiver = await startApp(
    ws,
    'aggregator',
    port,
    { ...spec.env, AGGREGATOR_ROLES: 'archive', AGGREGATOR_PORT: String(port), WORKER_ID: 'bench-archiver' },
    { logName: 'archiver' },
  );
  const readyAt = performance.now();
  const left = await groupProgress(redis, spec.shards, CONSUMER_GROUPS.archive);
  const entries = left.undelivered + left.pending;
  let doneAt: number | null = null;
  const deadline = readyAt + spec.timeoutMs;
  const { shares } = await withCpu({ archiver: archiver.child.pid ?? 0, ...spec.serverPids }, async () => {
    while (performance.now() < deadline && doneAt === null) {
      if (archiver.child.exitCode !== null) throw new Error(`the archiver exited (${archiver.child.exitCode})`);
      const g = await groupProgress(redis, spec.shards, CONSUMER_GROUPS.archive);
      if (g.missing === 0 && g.undelivered === 0 && g.pending === 0) doneAt = performance.now();
      else await sleep(100);
    }
  });
  await archiver.stop();
  return { entries, seconds: doneAt === null ? null : (doneAt - readyAt) / 1000, cpu: shares };
}
