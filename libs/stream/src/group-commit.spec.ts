import { BackpressureError, GroupCommitter } from './group-commit';

describe('GroupCommitter', () => {
  it('writes concurrent items in one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const c = new GroupCommitter<number, number>(
      (items) => {
        batches.push([...items]);
        return Promise.resolve(items.map((i) => i * 10));
      },
      { maxBatch: 100, delayMs: 1, maxInFlight: 1000 },
    );
    const results = await Promise.all([1, 2, 3].map((i) => c.submit(i)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('flushes at once when the batch is full', async () => {
    const batches: number[][] = [];
    const c = new GroupCommitter<number, number>(
      (items) => {
        batches.push([...items]);
        return Promise.resolve([...items]);
      },
      { maxBatch: 2, delayMs: 1000, maxInFlight: 1000 },
    );
    await Promise.all([c.submit(1), c.submit(2)]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('rejects every item of a failed write', async () => {
    const c = new GroupCommitter<number, number>(() => Promise.reject(new Error('redis down')), {
      maxBatch: 10,
      delayMs: 0,
      maxInFlight: 10,
    });
    const results = await Promise.allSettled([c.submit(1), c.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('refuses items beyond the in-flight limit without queueing them', async () => {
    let release: () => void = () => undefined;
    const c = new GroupCommitter<number, number>(
      (items) => new Promise((resolve) => (release = () => resolve([...items]))),
      { maxBatch: 2, delayMs: 0, maxInFlight: 2 },
    );
    const first = [c.submit(1), c.submit(2)];
    await expect(c.submit(3)).rejects.toBeInstanceOf(BackpressureError);
    release();
    expect(await Promise.all(first)).toEqual([1, 2]);
    expect(c.inFlight).toBe(0);
  });
});

describe('GroupCommitter.submitMany', () => {
  it('answers each caller with its own items, in order, from one write', async () => {
    const batches: number[][] = [];
    const c = new GroupCommitter<number, number>(
      (items) => {
        batches.push([...items]);
        return Promise.resolve(items.map((i) => -i));
      },
      { maxBatch: 100, delayMs: 1, maxInFlight: 1000 },
    );
    const results = await Promise.all([c.submitMany([1, 2, 3]), c.submit(4), c.submitMany([]), c.submitMany([5, 6])]);
    expect(results).toEqual([[-1, -2, -3], -4, [], [-5, -6]]);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(c.inFlight).toBe(0);
  });

  it('flushes once the queued items reach maxBatch and refuses a whole batch beyond the in-flight limit', async () => {
    let release: () => void = () => undefined;
    const c = new GroupCommitter<number, number>(
      (items) => new Promise((resolve) => (release = () => resolve([...items]))),
      { maxBatch: 3, delayMs: 1000, maxInFlight: 3 },
    );
    const first = c.submitMany([1, 2, 3]);
    expect(c.inFlight).toBe(3);
    await expect(c.submitMany([4, 5])).rejects.toBeInstanceOf(BackpressureError);
    release();
    expect(await first).toEqual([1, 2, 3]);
    expect(c.inFlight).toBe(0);
  });
});
