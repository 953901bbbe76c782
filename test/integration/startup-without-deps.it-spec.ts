import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HotAdRoutes } from '@clicks/stream';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { eventually, getJson, startApp, testConfig } from '../support/test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startRedis(o: { dir: string; port: number }): Promise<{ stop(): Promise<void> }>;
  startQuestDb(o: Record<string, unknown>): Promise<{ stop(): Promise<void> }>;
};

describe('apps started before Redis and QuestDB', () => {
  it('stay up and unready, then become ready once their dependencies appear', async () => {
    const [redisPort, httpPort, pgPort, ilpPort, minPort] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => freePortAsync()),
    );
    const config = testConfig({
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      QUESTDB_HTTP_URL: `http://127.0.0.1:${httpPort}`,
      QUESTDB_PG_URL: `postgresql://admin:quest@127.0.0.1:${pgPort}/qdb`,
      WORKER_ID: 'early-bird',
      ADMIN_TOKEN: 'test-admin-token',
      // No polling within the test: a hot-ad change can only reach ingest over the control bus.
      HOT_ADS_REFRESH_MS: '600000',
    });
    const apps: NestFastifyApplication[] = [];
    const urls: string[] = [];
    for (const create of [createIngestApp, createAggregatorApp, createGatewayApp]) {
      const { app, url } = await startApp(create(config), { waitReady: false });
      apps.push(app);
      urls.push(url);
    }
    for (const url of urls) {
      expect((await getJson(`${url}/health/live`)).status).toBe(200);
      expect((await getJson(`${url}/health/ready`)).status).toBe(503);
    }
    const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'late-deps-'));
    const redis = await stack.startRedis({ dir: join(dir, 'redis'), port: redisPort });
    const questdb = await stack.startQuestDb({ dir: join(dir, 'questdb'), httpPort, pgPort, ilpPort, minPort });
    try {
      for (const url of urls) {
        await eventually(
          () => getJson(`${url}/health/ready`).then((r) => r.status),
          (s) => s === 200,
          60000,
        );
      }
      // The control bus, which could not connect at start, subscribed once Redis came: a change reaches ingest.
      const salted = await fetch(`${urls[1]}/v1/admin/hot-ads/early-hot`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-token' },
        body: JSON.stringify({ salts: 8 }),
      });
      expect(salted.status).toBe(200);
      const routes = apps[0].get(HotAdRoutes);
      await eventually(
        () => Promise.resolve(routes.current.saltsFor('early-hot')),
        (salts) => salts === 8,
        10000,
      );
    } finally {
      await Promise.all(apps.map((a) => a.close()));
      await Promise.all([redis.stop(), questdb.stop()]);
    }
  });
});
