import { StaleOnErrorCache } from './stale-on-error-cache';

describe('StaleOnErrorCache', () => {
  it('reuses within the TTL, reloads after it, serves the stale value when the reload fails, forgets on demand', async () => {
    let now = 0;
    const cache = new StaleOnErrorCache<number>(100, 10, () => now);
    let loads = 0;
    const ok = () => Promise.resolve(++loads);
    const failing = () => Promise.reject(new Error('redis down'));
    expect(await cache.get('k', ok)).toBe(1);
    now = 99;
    expect(await cache.get('k', ok)).toBe(1);
    now = 100;
    expect(await cache.get('k', ok)).toBe(2);
    now = 500;
    expect(await cache.get('k', failing)).toBe(2);
    cache.forget('k');
    await expect(cache.get('k', failing)).rejects.toThrow('redis down');
    expect(await cache.get('k', ok)).toBe(3);
    cache.expireAll();
    expect(await cache.get('k', ok)).toBe(4);
  });

  it('does not store an answer loaded across a forget, and keeps at most maxEntries', async () => {
    const cache = new StaleOnErrorCache<string>(1000, 2, () => 0);
    let release: (v: string) => void = () => undefined;
    const slow = cache.get('k', () => new Promise<string>((r) => (release = r)));
    cache.forget('k');
    release('old');
    expect(await slow).toBe('old');
    expect(await cache.get('k', () => Promise.resolve('new'))).toBe('new');
    await cache.get('a', () => Promise.resolve('a'));
    await cache.get('b', () => Promise.resolve('b'));
    expect(cache.size).toBe(2);
  });
});
