import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.shards.count).toBe(16);
    expect(c.ports).toEqual({ ingest: 3001, aggregator: 3002, gateway: 3000 });
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.aggregation.allowedLatenessMs).toBe(300_000);
  });

  it.each([
    ['SHARD_COUNT', { SHARD_COUNT: '0' }],
    ['SHARD_COUNT', { SHARD_COUNT: 'many' }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['WORKER_ID', { WORKER_ID: 'bad id!' }],
    ['PRETTY_LOGS', { PRETTY_LOGS: 'yes' }],
    ['DEDUP_HORIZON_SECONDS', { DEDUP_HORIZON_SECONDS: '10' }],
    ['DEDUP_HORIZON_SECONDS', { DEDUP_HORIZON_SECONDS: '660' }], // 300 + 60 + 300 + 1 s needed by the defaults
    ['MAX_FUTURE_SKEW_MS', { MAX_FUTURE_SKEW_MS: '600000' }],
    ['IMPRESSION_KEYS', { INGEST_PROCESSES: '2' }],
  ])('rejects a bad %s and names it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});
