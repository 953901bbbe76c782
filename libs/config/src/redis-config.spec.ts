import { ConfigError, loadConfig } from './app-config';

describe('loadConfig: Redis Cluster and write concern', () => {
  it.each([
    ['one Redis: no seeds, no WAIT', {}, [], 0],
    [
      'a cluster: seeds, WAIT 1 by default',
      { REDIS_CLUSTER_NODES: 'redis-0.redis:6379, 10.0.0.2:7001' },
      [
        { host: 'redis-0.redis', port: 6379 },
        { host: '10.0.0.2', port: 7001 },
      ],
      1,
    ],
    [
      'a cluster without WAIT, if asked',
      { REDIS_CLUSTER_NODES: 'a:1', REDIS_WAIT_REPLICAS: '0' },
      [{ host: 'a', port: 1 }],
      0,
    ],
    ['one Redis with a replica', { REDIS_WAIT_REPLICAS: '1' }, [], 1],
  ])('%s', (_name, env, nodes, replicas) => {
    const c = loadConfig(env);
    expect(c.redis.clusterNodes).toEqual(nodes);
    expect(c.redis.waitReplicas).toBe(replicas);
    expect(c.redis.waitTimeoutMs).toBe(1000);
  });

  it.each([
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'a:1,b' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'redis://a:1' }],
    ['REDIS_WAIT_REPLICAS', { REDIS_WAIT_REPLICAS: 'one' }],
    ['REDIS_WAIT_TIMEOUT_MS', { REDIS_WAIT_TIMEOUT_MS: '0' }],
  ])('rejects a bad %s and names it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});
