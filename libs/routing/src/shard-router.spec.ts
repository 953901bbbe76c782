import HashRing from 'hashring';
import { assignShards } from './shard-assignment';
import { routingKey, saltFor, saltKeyOf, ShardRouter } from './shard-router';

describe('ShardRouter', () => {
  const router = new ShardRouter(16);

  it('routes the same ad to the same shard, within range', () => {
    for (let i = 0; i < 500; i++) {
      const s = router.shardFor(`ad-${i}`, `e-${i}`);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(16);
      expect(router.shardFor(`ad-${i}`, 'another-event')).toBe(s);
    }
  });

  it('uses every shard for many ads, roughly evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[router.shardFor(`ad-${i}`, 'e')]++;
    expect(Math.min(...counts)).toBeGreaterThan(500);
    expect(Math.max(...counts)).toBeLessThan(1600);
  });

  it('salts deterministically from the event id', () => {
    expect(routingKey('ad', 'e1', 1)).toBe('ad');
    expect(routingKey('ad', 'e1', 8)).toBe(routingKey('ad', 'e1', 8));
    expect(routingKey('ad', 'e1', 8)).toMatch(/^ad#[0-7]$/);
    const salts = new Set(Array.from({ length: 400 }, (_, i) => saltFor(`e-${i}`, 8)));
    expect(salts.size).toBe(8);
  });

  it('spreads a salted hot ad over several shards, a duplicate landing with its twin', () => {
    const shards = new Set(Array.from({ length: 400 }, (_, i) => router.shardFor('hot', `e-${i}`, 8)));
    expect(shards.size).toBeGreaterThan(3);
    expect(router.shardFor('hot', 'e-7', 8)).toBe(router.shardFor('hot', 'e-7', 8));
  });

  it('routes exactly as hashring with md5 and 160 virtual nodes (a change would move ads between shards)', () => {
    const nodes = Array.from({ length: 16 }, (_, i) => `s${i}`);
    const ring = new HashRing(nodes, 'md5', { 'vnode count': 160, 'max cache size': 10 });
    const keys = Array.from({ length: 20_000 }, (_, i) => `ad-${i}`);
    const wrong = keys.filter((k) => router.shardFor(k, 'e') !== Number(ring.get(k).slice(1)));
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(router.shardsOf('ad-8', 4)).toEqual(
      [...new Set([0, 1, 2, 3].map((k) => Number(ring.get(`ad-8#${k}`).slice(1))))].sort((a, b) => a - b),
    );
  });

  it('rejects a bad shard count', () => {
    expect(() => new ShardRouter(0)).toThrow(RangeError);
  });
});

describe('assignShards', () => {
  const owners = (m: Map<string, number[]>) => {
    const o = new Map<number, string>();
    for (const [w, shards] of m) for (const s of shards) o.set(s, w);
    return o;
  };

  it('assigns every shard exactly once', () => {
    const m = assignShards(['w1', 'w2', 'w3'], 64);
    expect([...m.values()].flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it.each([1, 2, 4, 8])('adding one worker to %i moves about 1/(N+1) of shards, only to the new worker', (n) => {
    const shardCount = 256;
    const before = owners(
      assignShards(
        Array.from({ length: n }, (_, i) => `w${i}`),
        shardCount,
      ),
    );
    const after = owners(
      assignShards(
        Array.from({ length: n + 1 }, (_, i) => `w${i}`),
        shardCount,
      ),
    );
    let moved = 0;
    for (let s = 0; s < shardCount; s++) {
      if (before.get(s) !== after.get(s)) {
        moved++;
        expect(after.get(s)).toBe(`w${n}`);
      }
    }
    const fair = shardCount / (n + 1);
    expect(moved).toBeGreaterThan(fair * 0.5);
    expect(moved).toBeLessThan(fair * 1.6);
  });

  it('is independent of the order workers are listed in', () => {
    expect(owners(assignShards(['b', 'a', 'c'], 32))).toEqual(owners(assignShards(['c', 'b', 'a'], 32)));
  });
});

describe('saltKeyOf', () => {
  it('spreads a hot ad by ip, else user, else event id, so one ip or user meets in one shard', () => {
    const router = new ShardRouter(16);
    const byIp = new Set(
      Array.from({ length: 200 }, (_, i) =>
        router.shardFor('hot', saltKeyOf({ eventId: `e-${i}`, ip: '198.51.100.9', userId: `u-${i}` }), 8),
      ),
    );
    expect(byIp.size).toBe(1);
    const byUser = new Set(
      Array.from({ length: 200 }, (_, i) => router.shardFor('hot', saltKeyOf({ eventId: `e-${i}`, userId: 'u' }), 8)),
    );
    expect(byUser.size).toBe(1);
    const byEvent = new Set(
      Array.from({ length: 200 }, (_, i) => router.shardFor('hot', saltKeyOf({ eventId: `e-${i}` }), 8)),
    );
    expect(byEvent.size).toBeGreaterThan(4);
    expect(saltKeyOf({ eventId: 'e', ip: '1.2.3.4', userId: 'u' })).toBe('ip:1.2.3.4');
  });
});

describe('ShardRouter.shardsOf', () => {
  it('names every shard a salted ad routes to, whatever the salt key', () => {
    const router = new ShardRouter(16);
    const all = router.shardsOf('hot', 8);
    for (let i = 0; i < 500; i++) expect(all).toContain(router.shardFor('hot', `ip:10.0.0.${i % 256}-${i}`, 8));
    expect(router.shardsOf('cold', 1)).toEqual([router.shardFor('cold', 'any')]);
  });
});
