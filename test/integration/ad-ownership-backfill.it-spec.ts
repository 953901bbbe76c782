import Redis from 'ioredis';
import { AdRegistry } from '@clicks/ads';
import { RedisConnection } from '@clicks/stream';
import { eventually, runId, testConfig } from '../support/test-env';

// Ads stored before the ownership index are entered in it once per Redis, when the registry's subscriber connects.
// The main connection has no offline queue: if it is not connected yet, the first try fails and must be made again.
describe('ad ownership backfill', () => {
  it('is tried again until the main connection is up, not only on the next reconnect of the subscriber', async () => {
    const config = testConfig();
    const run = runId();
    const setup = new Redis(config.redis.url);
    await setup.del('clicks:{acct}:ad-owner-backfilled');
    await setup.hset(`clicks:ad:${run}-legacy`, {
      targetUrl: 'https://example.com/',
      advertiserId: `${run}-adv`,
      campaignId: 'c',
      updatedAt: '1',
    });
    // Not connected yet when the subscriber is (like a cluster client still learning its slots): its first command
    // fails, and only then does it connect.
    const main = new Redis(config.redis.url, { lazyConnect: true, enableOfflineQueue: false });
    const connection = new RedisConnection(config);
    const registry = new AdRegistry(config, main, connection);
    try {
      registry.onModuleInit();
      const ads = await eventually(
        () => setup.smembers(`clicks:{acct}:advertiser-ads:${run}-adv`),
        (members) => members.includes(`${run}-legacy`),
        8000,
      );
      expect(ads).toEqual([`${run}-legacy`]);
    } finally {
      registry.onApplicationShutdown();
      await connection.onApplicationShutdown();
      main.disconnect();
      setup.disconnect();
    }
  }, 20_000);
});
