import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePortAsync } from '../support/ports';
import { adminAuth, eventually, runId, testEnv } from '../support/test-env';
import { streamClicks } from '../support/stream-clicks';

const ROOT = join(__dirname, '..', '..');
const SHARDS = 4;

/** ingest from source (no build needed) as a real process tree: a node:cluster primary and its workers. */
function startIngest(port: number, env: Record<string, string>): ChildProcess {
  const logDir = join(process.env.TEST_TMP_DIR ?? '/tmp', 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `ingest-processes-${port}.log`), { flags: 'a' });
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...testEnv({ SHARD_COUNT: String(SHARDS), ...env }),
    INGEST_PORT: String(port),
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
  };
  delete childEnv.SWCRC;
  const main = join(ROOT, 'apps', 'ingest', 'src', 'main.ts');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-r', 'tsconfig-paths/register', main], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });

/** The value of one sample line of a Prometheus text scrape, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inside.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return 0;
}

async function streamLength(redis: Redis): Promise<number> {
  return (await streamClicks(redis, SHARDS)).length;
}

describe('INGEST_PROCESSES=2: workers share the port, metrics are summed, SIGTERM drains all', () => {
  let redis: Redis;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    redis = new Redis(testEnv().REDIS_URL);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await redis.quit();
  });

  it('stores every click once whichever worker took it, and /metrics counts over all workers', async () => {
    const port = await freePortAsync();
    child = startIngest(port, { INGEST_PROCESSES: '2', IMPRESSION_KEYS: 'test:shared-by-both-processes' });
    const url = `http://127.0.0.1:${port}`;
    // Ready means every worker is: new connections go to the workers in turn, so several in a row must be ready.
    const ready = () =>
      fetch(`${url}/health/ready`, { headers: { connection: 'close' } }).then(
        (r) => r.status,
        () => 0,
      );
    await eventually(
      async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push(await ready());
        return statuses;
      },
      (statuses) => statuses.every((s) => s === 200),
      90_000,
    );
    const run = runId();
    const before = await streamLength(redis);
    // A new connection per request: the primary hands connections to the workers in turn. A 503 means "not
    // stored, re-send" (it happens on a busy CI box when Redis is slow to answer): re-sent like a client would.
    const once = (i: number) =>
      fetch(`${url}/v1/clicks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close', ...adminAuth },
        body: JSON.stringify({ eventId: `${run}-${i % 40}`, adId: `${run}-ad-${(i % 40) % 7}` }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { duplicate?: boolean; message?: string } }));
    const post = async (i: number) => {
      for (let attempt = 1; ; attempt++) {
        const answer = await once(i);
        if (answer.status !== 503 || attempt === 3) return answer;
        console.warn(`click ${i}: 503 (${answer.body.message}), re-sent`);
      }
    };
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => post(i)));
    expect(answers.filter((a) => a.status !== 202)).toEqual([]);
    // Each of the 40 event ids was stored once; a re-sent click whose first try was stored is a duplicate.
    const stored = answers.filter((a) => !a.body.duplicate).length;
    expect(stored).toBeLessThanOrEqual(40);
    expect((await streamLength(redis)) - before).toBe(40);

    // Several scrapes land on different workers; each must report the totals of both (every 202 answer counted).
    for (let k = 0; k < 4; k++) {
      const res = await fetch(`${url}/metrics`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      const text = await res.text();
      const count = (outcome: string) =>
        sample(text, 'clicks_intake_events_total', { path: 'single', outcome, app: 'ingest' });
      expect([count('accepted'), count('duplicate')]).toEqual([stored, 60 - stored]);
    }

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});
