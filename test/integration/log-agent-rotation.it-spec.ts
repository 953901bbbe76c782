import { ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { expectProblem } from '../support/problem';
import { eventually, runId, testEnv } from '../support/test-env';
import { streamClicks } from '../support/stream-clicks';

const ROOT = join(__dirname, '../..');
const SHARDS = 4;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The agent as a real process (TypeScript through @swc-node/register, path aliases through tsconfig-paths). */
function startAgent(env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', '-r', 'tsconfig-paths/register', 'apps/log-agent/src/main.ts'],
    { cwd: ROOT, env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, stdio: 'pipe' },
  );
  child.stdout?.resume();
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code) process.stderr.write(`log agent exited ${code}: ${err}\n`);
  });
  return child;
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Clicks in the streams that belong to this run (`entries`), and how many distinct event ids they carry. */
async function streamCount(redis: Redis, run: string): Promise<{ entries: number; distinct: number }> {
  const clicks = (await streamClicks(redis, SHARDS)).filter((c) => c.adId.startsWith(run));
  return { entries: clicks.length, distinct: new Set(clicks.map((c) => c.eventId)).size };
}

describe('click-log agent', () => {
  const run = runId();
  const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'log-agent-'));
  const stateDir = join(dir, 'state');
  let redis: Redis;
  let env: Record<string, string>;
  let agent: ChildProcess | undefined;
  let n = 0;
  const now = Date.now();

  /** NDJSON lines without event ids: the agent gives each the id of its place in the file, so a re-sent tail is
   * de-duplicated. */
  const ndjson = (count: number) =>
    Array.from({ length: count }, () => {
      const i = n++;
      return JSON.stringify({ adId: `${run}-ad${i % 5}`, timestamp: now - 60_000 + i, userId: `u${i}`, country: 'DE' });
    }).join('\n') + '\n';
  const csv = (count: number) =>
    Array.from({ length: count }, () => {
      const i = n++;
      return `${run}-ad${i % 5},${now - 60_000 + i},u${i},192.0.2.${i % 250},fr`;
    }).join('\n') + '\n';

  beforeAll(async () => {
    const base = testEnv();
    redis = new Redis(base.REDIS_URL);
    env = {
      ...base,
      SHARD_COUNT: String(SHARDS),
      LOG_AGENT_GLOBS: `${dir}/*.log,${dir}/*.csv`,
      LOG_AGENT_STATE_DIR: stateDir,
      LOG_AGENT_POLL_MS: '50',
      LOG_AGENT_PORT: String(await freePort()),
    };
  });

  afterAll(async () => {
    if (agent) await stop(agent, 'SIGTERM');
    await redis.quit();
  });

  const ready = () =>
    eventually(
      () => fetch(`http://127.0.0.1:${env.LOG_AGENT_PORT}/health/ready`).then((r) => r.status),
      (s) => s === 200,
      60_000,
    );
  const expectCount = (total: number) =>
    eventually(
      () => streamCount(redis, run),
      (c) => c.entries >= total,
      30_000,
    ).then(async () => expect(await streamCount(redis, run)).toEqual({ entries: total, distinct: total }));

  it('ships NDJSON and CSV lines, dead-letters malformed ones with file, line and reason', async () => {
    writeFileSync(join(dir, 'app.log'), ndjson(10) + '{not json\n' + ndjson(5) + '{"adId":"bad/ad"}\n');
    writeFileSync(join(dir, 'app.csv'), 'ad_id,click_timestamp,user_id,ip,country\n' + csv(10) + 'x,1,2\n');
    agent = startAgent(env);
    await ready();
    // Its HTTP errors are problem details like every app's.
    const nope = await fetch(`http://127.0.0.1:${env.LOG_AGENT_PORT}/v1/nope`);
    expectProblem({ status: nope.status, body: await nope.json(), headers: nope.headers }, 'not-found');
    await expectCount(25);
    const dead = await eventually(
      () =>
        Promise.resolve().then(() =>
          readFileSync(join(stateDir, 'dead-letter.ndjson'), 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l)),
        ),
      (d) => d.length >= 3,
    );
    expect(dead.map((d) => [d.file, d.line, d.reason.split(':')[0]]).sort()).toEqual(
      [
        [join(dir, 'app.csv'), 12, 'expected 5 columns (ad_id,click_timestamp,user_id,ip,country)'],
        [join(dir, 'app.log'), 11, 'not valid JSON'],
        [join(dir, 'app.log'), 17, 'adId'],
      ].sort(),
    );
  });

  it('follows appends, rename-and-create and copy-truncate rotation', async () => {
    // Paused, so the rotations surely happen before the agent has read the lines written just before them.
    agent!.kill('SIGSTOP');
    appendFileSync(join(dir, 'app.log'), ndjson(5));
    // rename-and-create: lines written to the old file after the rename are still shipped
    renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
    appendFileSync(join(dir, 'app.log.1'), ndjson(3));
    writeFileSync(join(dir, 'app.log'), ndjson(4));
    // copy-truncate: lines appended right before the copy are shipped from the copy
    appendFileSync(join(dir, 'app.csv'), csv(6));
    copyFileSync(join(dir, 'app.csv'), join(dir, 'app.csv.1'));
    truncateSync(join(dir, 'app.csv'), 0);
    writeFileSync(join(dir, 'app.csv'), 'ad_id,click_timestamp,user_id,ip,country\n' + csv(2));
    agent!.kill('SIGCONT');
    await expectCount(25 + 5 + 3 + 4 + 6 + 2);
  });

  it('resumes after being killed mid-file: no loss, no double count', async () => {
    const expectedSoFar = 45;
    for (let b = 0; b < 10; b++) {
      appendFileSync(join(dir, 'app.log'), ndjson(500));
      await new Promise((r) => setTimeout(r, 30));
    }
    await eventually(
      () => streamCount(redis, run),
      (c) => c.entries > expectedSoFar,
    );
    await stop(agent!, 'SIGKILL');
    for (let b = 0; b < 10; b++) appendFileSync(join(dir, 'app.log'), ndjson(500));
    renameSync(join(dir, 'app.log'), join(dir, 'app.log.2')); // rotated while the agent was down
    writeFileSync(join(dir, 'app.log'), ndjson(100));
    agent = startAgent(env);
    await ready();
    await expectCount(expectedSoFar + 10_000 + 100);
    // Nothing more trickles in afterwards.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await streamCount(redis, run)).toEqual({ entries: 10_145, distinct: 10_145 });
  });

  it('re-ships exactly after kill -9: lines without a timestamp, and identical lines, each count once', async () => {
    const before = 10_145;
    const bare = `${JSON.stringify({ adId: `${run}-bare`, country: 'DE' })}\n`; // no eventId, no timestamp
    const twin = `${run}-twin,${now},u-same,192.0.2.9,de\n`; // the same click line, many times over
    for (let b = 0; b < 10; b++) {
      appendFileSync(join(dir, 'bare.log'), bare.repeat(300));
      appendFileSync(join(dir, 'app.csv'), twin.repeat(200));
      await new Promise((r) => setTimeout(r, 30));
    }
    await eventually(
      () => streamCount(redis, run),
      (c) => c.entries > before,
    );
    await stop(agent!, 'SIGKILL');
    agent = startAgent(env);
    await ready();
    await expectCount(before + 3000 + 2000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await streamCount(redis, run)).toEqual({ entries: before + 5000, distinct: before + 5000 });
  });
});
