import { QueryCache } from './query-cache';

/** A load the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('QueryCache', () => {
  const ttl = 500;
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1000));

  /** A load counting its calls, answering the call number. */
  function counter() {
    const load: jest.Mock<Promise<number>, []> = jest.fn(() => Promise.resolve(load.mock.calls.length));
    return load;
  }

  describe('coalescing', () => {
    it.each([
      { keys: ['a'], loads: 1 },
      { keys: ['a', 'a', 'a'], loads: 1 },
      { keys: ['a', 'b', 'a', 'b'], loads: 2 },
      { keys: ['a', 'b', 'c'], loads: 3 },
    ])('concurrent gets of $keys share $loads load(s)', async ({ keys, loads }) => {
      const cache = new QueryCache<string>(ttl, { clock });
      const pending = new Map<string, ReturnType<typeof deferred<string>>>();
      const load = jest.fn((key: string) => {
        const d = deferred<string>();
        pending.set(key, d);
        return d.promise;
      });
      const promises = keys.map((key) => cache.get(key, () => load(key)));
      expect(load).toHaveBeenCalledTimes(loads);
      keys.forEach((key, i) => expect(promises[i]).toBe(promises[keys.indexOf(key)]));
      for (const [key, d] of pending) d.resolve(`answer ${key}`);
      expect(await Promise.all(promises)).toEqual(keys.map((key) => `answer ${key}`));
      // And the answers are then served from memory.
      for (const key of new Set(keys)) expect(await cache.get(key, () => load('again'))).toBe(`answer ${key}`);
      expect(load).toHaveBeenCalledTimes(loads);
    });

    it.each(['resolves', 'fails'])(
      'does not share a load in flight for longer than the ttl; when the old one %s the new one stays shared',
      async (outcome) => {
        const cache = new QueryCache<number>(ttl, { clock });
        const first = deferred<number>();
        const second = deferred<number>();
        const a = cache.get('k', () => first.promise);
        now += ttl;
        const b = cache.get('k', () => second.promise);
        expect(b).not.toBe(a);
        if (outcome === 'resolves') first.resolve(1);
        else first.reject(new Error('down'));
        await a.catch(() => undefined);
        expect(cache.fresh('k')).toBe(true);
        expect(cache.get('k', () => Promise.resolve(3))).toBe(b);
        second.resolve(2);
        expect(await b).toBe(2);
        expect(await cache.get('k', () => Promise.resolve(3))).toBe(2);
      },
    );
  });

  describe('expiry', () => {
    // Ages are counted from the start of the load: its answer is no fresher than the query that produced it.
    it.each([
      { loadMs: 0, askAt: 0, cached: true },
      { loadMs: 0, askAt: 499, cached: true },
      { loadMs: 0, askAt: 500, cached: false },
      { loadMs: 0, askAt: 10_000, cached: false },
      { loadMs: 300, askAt: 499, cached: true },
      { loadMs: 300, askAt: 500, cached: false },
      { loadMs: 500, askAt: 500, cached: false },
    ])('a load taking $loadMs ms, asked again $askAt ms after it started: cached=$cached', async (c) => {
      const cache = new QueryCache<number>(ttl, { clock });
      const d = deferred<number>();
      const start = now;
      const first = cache.get('k', () => d.promise);
      now = start + c.loadMs;
      d.resolve(1);
      expect(await first).toBe(1);
      // An answer already expired when it arrives is not stored.
      expect(cache.size).toBe(c.loadMs < ttl ? 1 : 0);
      now = start + c.askAt;
      expect(cache.fresh('k')).toBe(c.cached);
      expect(await cache.get('k', () => Promise.resolve(2))).toBe(c.cached ? 1 : 2);
    });

    it('drops an expired answer when asked for it, storing the new one', async () => {
      const cache = new QueryCache<number>(ttl, { clock });
      const load = counter();
      await cache.get('k', load);
      now += ttl;
      expect(await cache.get('k', load)).toBe(2);
      expect(cache.size).toBe(1);
      now += ttl - 1;
      expect(await cache.get('k', load)).toBe(2);
      // Dropped even when the reload fails.
      now += 1;
      await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
      expect(cache.size).toBe(0);
      expect(cache.bytes).toBe(0);
    });

    it('uses Date.now by default', async () => {
      const cache = new QueryCache<number>(60_000);
      const load = counter();
      await cache.get('k', load);
      expect(await cache.get('k', load)).toBe(1);
      expect(cache.fresh('k')).toBe(true);
    });
  });

  describe('fresh', () => {
    it.each([
      { state: 'unknown key', fresh: false },
      { state: 'load in flight', fresh: true },
      { state: 'load in flight past the ttl', fresh: false },
      { state: 'answered', fresh: true },
      { state: 'answered past the ttl', fresh: false },
      { state: 'failed', fresh: false },
    ])('is $fresh for: $state', async ({ state, fresh }) => {
      const cache = new QueryCache<number>(ttl, { clock });
      const d = deferred<number>();
      if (state !== 'unknown key') {
        const p = cache.get('k', () => d.promise);
        if (state.startsWith('answered')) {
          d.resolve(1);
          await p;
        } else if (state === 'failed') {
          d.reject(new Error('down'));
          await expect(p).rejects.toThrow('down');
        }
        if (state.endsWith('past the ttl')) now += ttl;
      }
      expect(cache.fresh('k')).toBe(fresh);
    });
  });

  describe('byte bound', () => {
    it.each([
      { key: 'a', value: 1, bytes: 4 },
      { key: 'k', value: [], bytes: 6 },
      { key: 'k', value: null, bytes: 10 },
      { key: 'key', value: { a: 'é' }, bytes: 24 },
      { key: '[1,2]', value: [{ ts: 1, clicks: 20 }], bytes: 2 * (5 + 22) },
      { key: '', value: undefined, bytes: 1 },
    ])('estimates $key => $value as $bytes bytes (UTF-16 of key and JSON)', async ({ key, value, bytes }) => {
      const cache = new QueryCache<unknown>(ttl, { clock });
      expect(cache.sizeOf(key, value)).toBe(bytes);
      await cache.get(key, () => Promise.resolve(value));
      expect(cache.bytes).toBe(bytes);
    });

    // Keys k1..k4 answered with one digit: 6 bytes each, and 18 bytes hold three.
    it.each([
      { gets: ['k1', 'k2', 'k3', 'k4'], held: ['k2', 'k3', 'k4'] },
      { gets: ['k1', 'k2', 'k3', 'k1', 'k4'], held: ['k1', 'k3', 'k4'] },
      { gets: ['k1', 'k2', 'k3', 'k2', 'k1', 'k4'], held: ['k1', 'k2', 'k4'] },
      { gets: ['k1', 'k2', 'k3', 'k3', 'k4'], held: ['k2', 'k3', 'k4'] },
    ])('after gets of $gets it holds $held (least recently used out first)', async ({ gets, held }) => {
      const cache = new QueryCache<number>(ttl, { maxBytes: 18, clock });
      for (const key of gets) await cache.get(key, () => Promise.resolve(Number(key[1])));
      expect(['k1', 'k2', 'k3', 'k4'].filter((key) => cache.fresh(key))).toEqual(held);
      expect(cache.size).toBe(held.length);
      expect(cache.bytes).toBe(18);
    });

    it('never holds more than maxBytes of answers', async () => {
      const cache = new QueryCache<string>(ttl, { maxBytes: 1000, clock });
      for (let i = 0; i < 200; i++) {
        await cache.get(`key${i}`, () => Promise.resolve('x'.repeat(i % 37)));
        expect(cache.bytes).toBeLessThanOrEqual(1000);
      }
      expect(cache.fresh('key199')).toBe(true);
    });

    // Key 'k' and a string of `length` characters: (1 + length + 2) * 2 bytes, against maxBytes 100.
    it.each([
      { length: 44, bytes: 94, cached: true, evictsOther: false },
      { length: 46, bytes: 98, cached: true, evictsOther: true },
      { length: 47, bytes: 100, cached: true, evictsOther: true },
      { length: 48, bytes: 102, cached: false, evictsOther: false },
      { length: 10_000, bytes: 20_006, cached: false, evictsOther: false },
    ])('an answer of $bytes bytes, maxBytes 100: cached=$cached', async ({ length, bytes, cached, evictsOther }) => {
      const cache = new QueryCache<string>(ttl, { maxBytes: 100, clock });
      await cache.get('o', () => Promise.resolve('')); // 6 bytes
      const value = 'x'.repeat(length);
      expect(cache.sizeOf('k', value)).toBe(bytes);
      const load = jest.fn(() => Promise.resolve(value));
      expect(await cache.get('k', load)).toBe(value);
      expect(await cache.get('k', load)).toBe(value);
      expect(load).toHaveBeenCalledTimes(cached ? 1 : 2);
      expect(cache.fresh('k')).toBe(cached);
      expect(cache.fresh('o')).toBe(!evictsOther);
    });

    const circular: Record<string, unknown> = {};
    circular.self = circular;
    it.each([
      { kind: 'a BigInt', value: 1n },
      { kind: 'a circular object', value: circular },
    ])('answers but does not cache $kind, which JSON cannot size', async ({ value }) => {
      const cache = new QueryCache<unknown>(ttl, { clock });
      const load = jest.fn(() => Promise.resolve(value));
      expect(await cache.get('k', load)).toBe(value);
      expect(await cache.get('k', load)).toBe(value);
      expect(load).toHaveBeenCalledTimes(2);
      expect(cache.size).toBe(0);
    });

    it.each([-1, 1.5, NaN, Infinity])('rejects maxBytes %p', (maxBytes) => {
      expect(() => new QueryCache<number>(ttl, { maxBytes })).toThrow(RangeError);
    });
  });

  describe('failures', () => {
    it.each([
      { kind: 'a rejected promise', fail: () => Promise.reject(new Error('down')) },
      {
        kind: 'an async throw',
        fail: async () => {
          await Promise.resolve();
          throw new Error('down');
        },
      },
    ])('forgets $kind: waiters share it, the next caller loads again', async ({ fail }) => {
      const cache = new QueryCache<number>(ttl, { clock });
      const load = jest.fn(fail);
      const a = cache.get('k', load);
      const b = cache.get('k', load);
      await expect(a).rejects.toThrow('down');
      await expect(b).rejects.toThrow('down');
      expect(load).toHaveBeenCalledTimes(1);
      expect(cache.size).toBe(0);
      expect(await cache.get('k', () => Promise.resolve(7))).toBe(7);
      expect(await cache.get('k', () => Promise.resolve(8))).toBe(7);
    });
  });

  describe('disabled', () => {
    it.each([
      { ttlMs: 0, maxBytes: undefined },
      { ttlMs: -1, maxBytes: undefined },
      { ttlMs: 500, maxBytes: 0 },
    ])('ttl $ttlMs, maxBytes $maxBytes: never caches nor shares loads', async ({ ttlMs, maxBytes }) => {
      const cache = new QueryCache<number>(ttlMs, { maxBytes, clock });
      const load = counter();
      const concurrent = [cache.get('a', load), cache.get('a', load)];
      expect(await Promise.all(concurrent)).toEqual([1, 2]);
      expect(await cache.get('a', load)).toBe(3);
      expect(load).toHaveBeenCalledTimes(3);
      expect(cache.fresh('a')).toBe(false);
      expect(cache.size).toBe(0);
      expect(cache.bytes).toBe(0);
    });
  });
});
