// Servers and app processes for benchmarks: each bench gets its own Redis (and QuestDB) on free ports in a temp
// directory, and runs the apps in child processes so the load generator never shares their event loop.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as StackModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nodeFlags } = require('../../scripts/lib/node-flags') as { nodeFlags: (app: string) => string[] };

interface StackServer {
  child: ChildProcess;
  stop(): Promise<void>;
}
interface StackModule {
  freePort(): Promise<number>;
  setQuiet(q: boolean): void;
  startRedis(o: { dir: string; port: number }): Promise<StackServer & { url: string; port: number }>;
  startQuestDb(o: {
    dir: string;
    httpPort: number;
    pgPort: number;
    ilpPort: number;
    minPort: number;
  }): Promise<StackServer & { httpUrl: string; pgUrl: string }>;
}

export const ROOT = resolve(__dirname, '..', '..');
export const freePort = (): Promise<number> => stack.freePort();

/** A temp directory for one bench run (servers' data and app logs); removed by `cleanup`. */
export class BenchWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'clicks-bench-'));
  private readonly stops: (() => Promise<void>)[] = [];

  onCleanup(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  async startRedis(): Promise<{ url: string; pid: number }> {
    const redis = await stack.startRedis({ dir: join(this.dir, 'redis'), port: await freePort() });
    this.onCleanup(() => redis.stop());
    return { url: redis.url, pid: redis.child.pid ?? 0 };
  }

  async startQuestDb(): Promise<{ httpUrl: string; pgUrl: string; pid: number }> {
    const [httpPort, pgPort, ilpPort, minPort] = await Promise.all([1, 2, 3, 4].map(() => freePort()));
    const questdb = await stack.startQuestDb({ dir: join(this.dir, 'questdb'), httpPort, pgPort, ilpPort, minPort });
    this.onCleanup(() => questdb.stop());
    return { httpUrl: questdb.httpUrl, pgUrl: questdb.pgUrl, pid: questdb.child.pid ?? 0 };
  }

  /** Stops everything in reverse start order, then deletes the directory (kept with KEEP_BENCH_DIR=1). */
  async cleanup(): Promise<void> {
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
    if (process.env.KEEP_BENCH_DIR) console.error(`bench data and logs kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A running app (apps/<name>/src/main.ts) in its own Node process. */
export interface AppProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts an app's main.ts from source through @swc-node/register with tsconfig-paths for the @clicks/* aliases
 * (SWCRC must not be set: with it, swc-node ignores tsconfig.json and cannot load .ts at all). Waits until
 * /health/ready answers 200 unless `waitReady` is false.
 */
export async function startApp(
  ws: BenchWorkspace,
  app: 'ingest' | 'aggregator' | 'gateway',
  port: number,
  env: Record<string, string>,
  options: { logName?: string; waitReady?: boolean } = {},
): Promise<AppProcess> {
  const logName = options.logName ?? app;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env };
  delete childEnv.SWCRC;
  const entry = join(ROOT, 'apps', app, 'src', 'main.ts');
  const log = openSync(join(ws.dir, `${logName}.log`), 'a');
  // BENCH_CPU_PROF=<dir>: each app writes a V8 CPU profile there when it exits (open in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const args = [...prof, ...nodeFlags(app), '-r', '@swc-node/register', '-r', 'tsconfig-paths/register', entry];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGTERM');
    });
  ws.onCleanup(stop);
  const started = { url, child, stop };
  if (options.waitReady !== false) await waitReady(started, logName, `${ws.dir}/${logName}.log`);
  return started;
}

/** Waits until the app's /health/ready answers 200 (an aggregator: once it owns its shards). */
export function waitReady(app: AppProcess, name: string, logFile = ''): Promise<void> {
  return waitUntil(`${name} ready at ${app.url}/health/ready ${logFile && `(log: ${logFile})`}`, 120_000, async () => {
    if (app.child.exitCode !== null) throw new Error(`${name} exited with ${app.child.exitCode}; see its log`);
    const res = await fetch(`${app.url}/health/ready`).catch(() => null);
    return res?.status === 200;
  });
}

/** Polls `probe` every 100 ms until it returns true; an exception from it aborts the wait. */
export async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
