import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { eventually, postJson, runId, startApp, testConfig } from '../support/test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startRedis(o: { dir: string; port: number; extraArgs?: string[] }): Promise<{ stop(): Promise<void> }>;
};

/**
 * The Redis password comes from REDIS_PASSWORD (a Secret), never spliced into REDIS_URL by the manifests: Kubernetes
 * expands `$(VAR)` only from variables defined earlier, which the real kustomize did not keep.
 */
describe('a Redis that requires a password', () => {
  it('is reached with REDIS_PASSWORD beside a URL without credentials, and refused without it', async () => {
    const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'redis-auth-'));
    const port = await freePortAsync();
    const redis = await stack.startRedis({ dir, port, extraArgs: ['--requirepass', 's3cret-redis-password'] });
    const url = `redis://127.0.0.1:${port}`;
    const good = await startApp(
      createIngestApp(testConfig({ REDIS_URL: url, REDIS_PASSWORD: 's3cret-redis-password' })),
    );
    const bad = await startApp(createIngestApp(testConfig({ REDIS_URL: url, REDIS_PASSWORD: 'wrong' })), {
      waitReady: false,
    });
    try {
      const click = await postJson(`${good.url}/v1/clicks`, { eventId: `${runId()}-pw`, adId: 'pw-ad' });
      expect(click.status).toBe(202);
      await eventually(
        () => fetch(`${bad.url}/health/ready`).then((r) => r.status),
        (s) => s === 503,
      );
      expect((await postJson(`${bad.url}/v1/clicks`, { eventId: `${runId()}-pw`, adId: 'pw-ad' })).status).toBe(503);
    } finally {
      await Promise.all([good.app.close(), bad.app.close()]);
      await redis.stop();
    }
  });
});
