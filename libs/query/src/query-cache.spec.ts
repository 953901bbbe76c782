import { QueryCache } from './query-cache';

describe('QueryCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1000));

  it('serves a repeated query from the cache until the ttl passes', async () => {
    const cache = new QueryCache<number>(500, 10, clock);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await cache.get('a', load)).toBe(1);
    now += 499;
    expect(await cache.get('a', load)).toBe(1);
    now += 1;
    expect(await cache.get('a', load)).toBe(2);
    expect(await cache.get('b', load)).toBe(3);
  });

  it('never caches with ttl 0', async () => {
    const cache = new QueryCache<number>(0, 10, clock);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    await cache.get('a', load);
    expect(await cache.get('a', load)).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('forgets a failed load', async () => {
    const cache = new QueryCache<number>(500, 10, clock);
    await expect(cache.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', () => Promise.resolve(7))).toBe(7);
  });

  it('stays within maxEntries', async () => {
    const cache = new QueryCache<number>(500, 3, clock);
    for (let i = 0; i < 10; i++) await cache.get(`k${i}`, () => Promise.resolve(i));
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(await cache.get('k9', () => Promise.resolve(-1))).toBe(9);
  });
});
