import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { expectProblem } from '../support/problem';
import { adminAuth, eventually, postJson, runId, startApp, testConfig } from '../support/test-env';
import { streamClicks } from '../support/stream-clicks';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startRedis(o: { dir: string; port: number }): Promise<{ stop(): Promise<void>; child: { kill(s: string): void } }>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ingest while its Redis crashes (kill -9) and comes back', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  it('answers 503 with Retry-After quickly, turns unready, and loses no click it answered 202', async () => {
    const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'outage-'));
    const port = await freePortAsync();
    let redis = await stack.startRedis({ dir, port });
    cleanup.push(() => redis.stop());
    const url = `redis://127.0.0.1:${port}`;
    const config = testConfig({ REDIS_URL: url, ENQUEUE_TIMEOUT_MS: '500', SHARD_COUNT: '4' });
    const { app, url: ingest }: { app: NestFastifyApplication; url: string } = await startApp(createIngestApp(config));
    cleanup.push(() => app.close());
    const run = runId();
    const acknowledged = new Set<string>();
    const statuses: number[] = [];
    let slowest503 = 0;
    let n = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            const eventId = `${run}-${n++}`;
            const started = Date.now();
            const r = await postJson(`${ingest}/v1/clicks`, { eventId, adId: `${run}-ad${n % 7}` });
            statuses.push(r.status);
            if (r.status === 202 && !r.body.duplicate) acknowledged.add(eventId);
            if (r.status === 503) {
              expect(r.headers.get('retry-after')).toBe('1');
              slowest503 = Math.max(slowest503, Date.now() - started);
            }
          }),
        );
      }
    })();

    await sleep(700);
    redis.child.kill('SIGKILL');
    await sleep(300);
    await eventually(
      () => fetch(`${ingest}/health/ready`).then((r) => r.status),
      (s) => s === 503,
    );
    // The registries live in the same Redis: an admin write is answered 503 (retry), not 500.
    const adminWrites = () =>
      Promise.all([
        fetch(`${ingest}/v1/ads/${run}-ad1`, {
          method: 'PUT',
          headers: { ...adminAuth, 'content-type': 'application/json' },
          body: JSON.stringify({ targetUrl: 'https://example.com/', advertiserId: 'a', campaignId: 'c' }),
        }),
        fetch(`${ingest}/v1/admin/partners/${run}-p/keys`, { method: 'POST', headers: adminAuth }),
      ]);
    const during = await adminWrites();
    expect(during.map((r) => [r.status, r.headers.get('retry-after')])).toEqual([
      [503, '1'],
      [503, '1'],
    ]);
    for (const r of during) {
      expectProblem({ status: r.status, body: await r.json(), headers: r.headers }, 'unavailable');
    }
    await sleep(1000);
    redis = await stack.startRedis({ dir, port });
    await eventually(
      () => fetch(`${ingest}/health/ready`).then((r) => r.status),
      (s) => s === 200,
    );
    await sleep(700);
    running = false;
    await load;
    expect((await adminWrites()).map((r) => r.status)).toEqual([201, 201]);

    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(100);
    expect(statuses.every((s) => s === 202 || s === 503)).toBe(true);
    expect(slowest503).toBeLessThan(5000); // bounded by ENQUEUE_TIMEOUT_MS plus scheduling, never a hang

    const client = new Redis(url);
    const stored = new Set((await streamClicks(client, 4)).map((c) => c.eventId));
    await client.quit();
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
  });
});
