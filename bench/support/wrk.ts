// Load from wrk (Debian's package, installed by `npm run bench`): a C load generator that needs about a third of
// autocannon's CPU per request, which matters when it shares two cores with the app and Redis. Its Lua scripts
// (bench/support/wrk/) build every request, so each click has its own event id.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPTS = join(__dirname, 'wrk');

export interface WrkSpec {
  /** Base URL; the script sets paths that vary per request, else `path` is used. */
  url: string;
  path?: string;
  /** A script in bench/support/wrk/ without `.lua`, and the arguments its init() takes. */
  script: 'clicks' | 'redirect';
  args: string[];
  seconds: number;
  connections: number;
  /** Requests per second over all connections, offered evenly (see pacing.lua); as fast as possible when absent. */
  ratePerSec?: number;
}

export interface WrkResult {
  /** Requests answered (any status). */
  requests: number;
  /** Answers with a status of 400 or more. */
  statusErrors: number;
  /** Connect, read and write errors and timeouts: requests never answered. */
  socketErrors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface WrkLine {
  requests: number;
  micros: number;
  statusErrors: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50: number;
  p99: number;
  max: number;
}

/** One wrk thread: a second one would only take CPU from the app on a two-core machine. */
export async function runWrk(spec: WrkSpec): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const parts = ['common', spec.script].map((s) => readFileSync(join(SCRIPTS, `${s}.lua`), 'utf8'));
    if (spec.ratePerSec) {
      const pacing = readFileSync(join(SCRIPTS, 'pacing.lua'), 'utf8');
      parts.push(pacing.replace('__INTERVAL_MS__', String(1000 / spec.ratePerSec)));
    }
    const script = join(dir, 'load.lua');
    writeFileSync(script, parts.join('\n'));
    const target = spec.url + (spec.path ?? '/');
    const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '10s', '-s', script, target];
    const line = parseResult(await runToEnd('wrk', [...args, '--', ...spec.args]));
    const seconds = line.micros / 1e6;
    return {
      requests: line.requests,
      statusErrors: line.statusErrors,
      socketErrors: line.connect + line.read + line.write + line.timeout,
      seconds,
      perSecond: line.requests / seconds,
      p50Ms: line.p50 / 1000,
      p99Ms: line.p99 / 1000,
      maxMs: line.max / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseResult(stdout: string): WrkLine {
  const m = /^WRK_RESULT (.*)$/m.exec(stdout);
  if (!m) throw new Error(`wrk printed no result line:\n${stdout}`);
  return JSON.parse(m[1]) as WrkLine;
}

function runToEnd(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) =>
      reject(new Error(`${cmd}: ${e.message} (\`npm run bench\` installs wrk from Debian's packages)`)),
    );
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}
