import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { createGatewayApp } from '../../apps/gateway/src/gateway.app';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { eventually, getJson, postJson, resetRedis, runId, startApp, testConfig } from '../support/test-env';

// Offline: scripts/check-monitoring.js is plain CommonJS shared with CI (`npm run lint:monitoring`).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { metricFamilies } = require('../../scripts/check-monitoring') as { metricFamilies: () => string[] };

/** Metric families an exposition declares (`# TYPE <name> <type>`), with their type. */
function declared(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
}

/**
 * The alerts (k8s/monitoring/prometheus-rule.yaml) and the Grafana dashboard query metrics by name; a renamed or
 * misspelled one would leave an alert silent and a panel empty without any error. So: run the apps, make them
 * count something, and find every name the rules and the dashboard use in some app's /metrics.
 */
describe('monitoring: what the alerts and the dashboard query, the apps export', () => {
  const config = testConfig();
  const apps: NestFastifyApplication[] = [];
  const urls: Record<string, string> = {};

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    const started = await Promise.all([
      startApp(createIngestApp(config)),
      startApp(createAggregatorApp(config)),
      startApp(createGatewayApp(config)),
    ]);
    apps.push(...started.map((s) => s.app));
    [urls.ingest, urls.aggregator, urls.gateway] = started.map((s) => s.url);
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  it('exports every metric family the rules and the dashboard use, from a running app', async () => {
    const run = runId();
    for (let i = 0; i < 5; i++) {
      const click = { eventId: `${run}-${i}`, adId: `${run}-ad`, country: 'DE', userId: `u${i}`, ip: '203.0.113.7' };
      expect((await postJson(`${urls.ingest}/v1/clicks`, click)).status).toBe(202);
    }
    expect((await postJson(`${urls.ingest}/v1/clicks`, { eventId: `${run}-0`, adId: `${run}-ad` })).status).toBe(202);
    await eventually(
      () => getJson(`${urls.gateway}/v1/ads/${run}-ad/clicks?minutes=5`),
      (r) => r.body?.total === 5,
    );
    const types = new Map<string, string>();
    for (const [app, url] of Object.entries(urls)) {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200); // no token: Prometheus scrapes the pods' http port directly
      for (const [name, type] of declared(await res.text())) types.set(name, `${app} ${type}`);
    }

    const used = metricFamilies();
    expect(used.length).toBeGreaterThan(10);
    expect(used).toEqual(expect.arrayContaining(['clicks_http_request_duration_seconds', 'clicks_shard_owned']));
    expect(used.filter((name) => !types.has(name))).toEqual([]);
    // Prometheus conventions: a counter's name ends in _total, and only a counter's does.
    for (const name of used) {
      const type = types.get(name)?.split(' ')[1];
      expect(`${name}: ${type === 'counter' ? name.endsWith('_total') : !name.endsWith('_total')}`).toBe(
        `${name}: true`,
      );
    }
  });
});
