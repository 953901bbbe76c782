import { Counter, Registry } from 'prom-client';
import { CounterMirror } from './counter-mirror';

describe('CounterMirror', () => {
  const value = async (c: Counter<'shard'>, shard: string) =>
    (await c.get()).values.find((v) => v.labels.shard === shard)?.value ?? 0;

  it('adds what the source counted since the last look, never goes down, counts a replay once', async () => {
    const counter = new Counter({
      name: 'x_total',
      help: 'x',
      labelNames: ['shard'] as const,
      registers: [new Registry()],
    });
    const mirror = new CounterMirror(counter);
    mirror.set({ shard: 's0' }, 100, 'a');
    mirror.set({ shard: 's1' }, 7, 'a');
    expect(await value(counter, 's0')).toBe(100);
    mirror.set({ shard: 's0' }, 95, 'a'); // a takeover forgot 5 uncheckpointed entries...
    expect(await value(counter, 's0')).toBe(100);
    mirror.set({ shard: 's0' }, 110, 'a'); // ...and replayed them: 10 new ones
    expect(await value(counter, 's0')).toBe(110);
    mirror.set({ shard: 's0' }, 3, 'b'); // a new actor for the shard counts from zero
    expect(await value(counter, 's0')).toBe(113);
    expect(await value(counter, 's1')).toBe(7);
  });
});
