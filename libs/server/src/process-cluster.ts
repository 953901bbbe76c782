import cluster, { Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import { AggregatorRegistry, Registry } from 'prom-client';

// IPC between a worker answering GET /metrics and the primary, which collects every worker's registry.
const SCRAPE_REQUEST = 'clicks:scrape-request';
const SCRAPE_RESPONSE = 'clicks:scrape-response';
const SCRAPE_TIMEOUT_MS = 5000;
/** A worker that dies after it was listening is replaced after this pause (no tight crash loop). */
const RESTART_DELAY_MS = 1000;

interface ScrapeRequest {
  type: typeof SCRAPE_REQUEST;
  id: number;
}
interface ScrapeResponse {
  type: typeof SCRAPE_RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

export const isClusterWorker = (): boolean => cluster.isWorker;

/**
 * The primary of `processes` identical workers that share the app's port (node:cluster hands each new connection
 * to one worker). It serves no requests itself: it starts the workers, replaces one that dies while running,
 * answers their /metrics with the sum over all of them, and on SIGTERM/SIGINT forwards SIGTERM to every worker
 * (each turns unready and drains as a single process does) and exits once all have, 0 only if all exited cleanly.
 * A worker that exits before it ever listened means the app cannot start: the primary stops all and exits 1.
 */
export function runPrimary(name: string, processes: number, graceMs: number): void {
  const log = new Logger(`${name} primary`);
  const aggregator = new AggregatorRegistry();
  const listening = new WeakSet<Worker>();
  let stopping = false;
  let exitCode = 0;

  const stop = (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.log(`${why}: stopping ${liveWorkers().length} workers (grace ${graceMs} ms)`);
    for (const w of liveWorkers()) w.process.kill('SIGTERM');
    setTimeout(() => {
      log.error(`workers did not stop within ${graceMs} ms; exiting`);
      process.exit(1);
    }, graceMs + 2000).unref();
    if (liveWorkers().length === 0) process.exit(exitCode);
  };

  cluster.on('listening', (w) => listening.add(w));
  cluster.on('exit', (w, code, signal) => {
    const clean = code === 0 && !signal;
    if (stopping) {
      if (!clean) exitCode = 1;
      if (liveWorkers().length === 0) process.exit(exitCode);
      return;
    }
    if (!listening.has(w)) return stop(1, `worker ${w.process.pid} exited (${signal ?? code}) before listening`);
    log.error(`worker ${w.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => !stopping && cluster.fork(), RESTART_DELAY_MS);
  });
  cluster.on('message', (w: Worker, message: unknown) => {
    const m = message as Partial<ScrapeRequest> | null;
    if (m?.type !== SCRAPE_REQUEST) return;
    const reply = (r: Omit<ScrapeResponse, 'type' | 'id'>) => {
      if (w.isConnected()) w.send({ type: SCRAPE_RESPONSE, id: m.id, ...r });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (e: unknown) => reply({ error: e instanceof Error ? e.message : String(e) }),
    );
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop(0, signal));
  for (let i = 0; i < processes; i++) cluster.fork();
  log.log(`started ${processes} workers sharing the port`);
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
}

/**
 * In a worker: lets the primary collect `registry` and returns a scrape function that answers with the metrics of
 * all workers summed (counters and histograms add up; process gauges follow prom-client's aggregators).
 */
export function clusterScrape(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one registers the worker's listener for the primary's collection requests.
  new AggregatorRegistry();
  const pending = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();
  let next = 0;
  process.on('message', (message: unknown) => {
    const m = message as Partial<ScrapeResponse> | null;
    if (m?.type !== SCRAPE_RESPONSE || m.id === undefined) return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`cluster metrics: ${m.error}`));
    else p?.resolve(m.text ?? '');
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('cluster metrics: the primary did not answer'));
      }, SCRAPE_TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      process.send?.({ type: SCRAPE_REQUEST, id } satisfies ScrapeRequest);
    });
}
