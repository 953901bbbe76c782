import { admittedInOrder, ConsumeBatcher } from './consume-batch';

describe('admittedInOrder', () => {
  it.each([
    ['all fit', [1, 2, 3], 6, 10, [true, true, true]],
    ['the last one overflows', [4, 4, 4], 12, 10, [true, true, false]],
    [
      'a big one overflows, a later small one too (its count includes the refused)',
      [2, 9, 1],
      12,
      10,
      [true, false, false],
    ],
    ['the budget was spent before', [1, 1], 12, 10, [false, false]],
    ['exactly the budget', [5, 5], 10, 10, [true, true]],
  ])('%s', (_name, costs, after, points, want) => {
    expect(admittedInOrder(costs, after, points)).toEqual(want);
  });

  it('answers as separate calls in the same order would', () => {
    const points = 7;
    const costs = [3, 1, 4, 1, 5, 9, 2, 6];
    let count = 5;
    const separate = costs.map((c) => (count += c) <= points);
    expect(admittedInOrder(costs, 5 + costs.reduce((a, b) => a + b, 0), points)).toEqual(separate);
  });
});

describe('ConsumeBatcher', () => {
  it('makes one store call per key per turn of the event loop, and answers each request', async () => {
    const calls: [string, number][] = [];
    const store = new Map<string, number>();
    const batcher = new ConsumeBatcher(5, (key, cost) => {
      calls.push([key, cost]);
      const consumedPoints = (store.get(key) ?? 0) + cost;
      store.set(key, consumedPoints);
      return Promise.resolve({ consumedPoints, msBeforeNext: 400 });
    });
    const answers = await Promise.all([
      batcher.consume('a', 2),
      batcher.consume('b', 1),
      batcher.consume('a', 3),
      batcher.consume('a', 1),
    ]);
    expect(calls).toEqual([
      ['a', 6],
      ['b', 1],
    ]);
    expect(answers.map((a) => a.admitted)).toEqual([true, true, true, false]);
    expect((await batcher.consume('a', 1)).admitted).toBe(false);
    expect(calls).toHaveLength(3);
  });

  it('fails every request of a failed call', async () => {
    const batcher = new ConsumeBatcher(5, () => Promise.reject(new Error('down')));
    const results = await Promise.allSettled([batcher.consume('a', 1), batcher.consume('a', 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
