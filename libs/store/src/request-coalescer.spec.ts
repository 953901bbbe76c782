import { RequestCoalescer, WriteDeadlineError } from './request-coalescer';

/** A sink whose requests complete only when the test says so. */
function manualSink() {
  const requests: { parts: string[]; done: () => void; fail: (e: Error) => void }[] = [];
  const send = (parts: string[]) =>
    new Promise<void>((done, fail) => {
      requests.push({ parts, done, fail });
    });
  return { requests, send };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('RequestCoalescer', () => {
  it('sends the first part at once and everything submitted meanwhile in one next request', async () => {
    const sink = manualSink();
    const c = new RequestCoalescer(sink.send, 100, (p) => p.length);
    const settled: string[] = [];
    const submit = (p: string) => c.submit(p).then(() => settled.push(p));
    void submit('a');
    await tick();
    expect(sink.requests.map((r) => r.parts)).toEqual([['a']]);
    void submit('b');
    void submit('c');
    await tick();
    expect(sink.requests).toHaveLength(1);
    sink.requests[0].done();
    await tick();
    expect(settled).toEqual(['a']);
    expect(sink.requests[1].parts).toEqual(['b', 'c']);
    sink.requests[1].done();
    await tick();
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('a failed request rejects exactly the parts it carried', async () => {
    const sink = manualSink();
    const c = new RequestCoalescer(sink.send, 100, (p) => p.length);
    const a = c.submit('a');
    await tick();
    const b = c.submit('b');
    const boom = new Error('400 bad line');
    sink.requests[0].fail(boom);
    await expect(a).rejects.toBe(boom);
    await tick();
    expect(sink.requests[1].parts).toEqual(['b']);
    sink.requests[1].done();
    await expect(b).resolves.toBeUndefined();
  });

  it('splits requests at the size limit; a part above it goes alone', async () => {
    const sink = manualSink();
    const c = new RequestCoalescer(sink.send, 5, (p) => p.length);
    void c.submit('first');
    await tick();
    for (const p of ['aa', 'bb', 'cc', 'dddddddd', 'e']) void c.submit(p);
    for (let i = 0; i < 4; i++) {
      sink.requests[i].done();
      await tick();
    }
    expect(sink.requests.map((r) => r.parts)).toEqual([['first'], ['aa', 'bb'], ['cc'], ['dddddddd'], ['e']]);
  });

  it('never sends a part whose deadline passed while it waited', async () => {
    const sink = manualSink();
    let now = 1000;
    const c = new RequestCoalescer(
      sink.send,
      100,
      (p) => p.length,
      () => now,
    );
    void c.submit('busy');
    await tick();
    const stale = c.submit('stale', 1500);
    const fresh = c.submit('fresh', 5000);
    now = 2000;
    sink.requests[0].done();
    await expect(stale).rejects.toBeInstanceOf(WriteDeadlineError);
    await tick();
    expect(sink.requests[1].parts).toEqual(['fresh']);
    sink.requests[1].done();
    await expect(fresh).resolves.toBeUndefined();
  });

  describe('with commit slots', () => {
    /**
     * A coalescer with 250 ms slots on a clock the test moves, and its sink; sleeping moves the clock to the wake-up
     * time once the test calls `wake`.
     */
    function slotted(start: number, phase = 0) {
      const clock = { now: start, sleeps: [] as number[], wakers: [] as (() => void)[] };
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          clock.sleeps.push(ms);
          clock.wakers.push(() => {
            clock.now += ms;
            resolve();
          });
        });
      const wake = async () => {
        clock.wakers.shift()?.();
        await tick();
      };
      const sink = manualSink();
      const c = new RequestCoalescer(
        sink.send,
        100,
        (p) => p.length,
        () => clock.now,
        250,
        sleep,
        phase,
      );
      return { c, sink, clock, wake };
    }

    it('with a phase, a part submitted just after a multiple goes in the slot starting a phase later', async () => {
      const { c, sink, clock, wake } = slotted(1_010, 50);
      void c.submit('flush'); // actors flush once they see 1,000 pass
      await tick();
      expect(clock.sleeps).toEqual([40]); // 1,010 -> 1,050, not 1,300
      await wake();
      void c.submit('later');
      clock.now = 1_060;
      sink.requests[0].done();
      await tick();
      expect(clock.sleeps).toEqual([40, 240]); // 1,060 -> 1,300
      await wake();
      expect(sink.requests.map((r) => r.parts)).toEqual([['flush'], ['later']]);
    });

    it('holds parts until the next wall-clock multiple of the slot and sends them as one request', async () => {
      const { c, sink, clock, wake } = slotted(10_030);
      void c.submit('s1');
      await tick();
      clock.now = 10_100; // other actors flush 70 ms later, in the same slot
      void c.submit('s2');
      void c.submit('s3');
      expect(sink.requests).toHaveLength(0);
      expect(clock.sleeps).toEqual([220]); // 10,030 -> 10,250
      await wake();
      expect(sink.requests.map((r) => r.parts)).toEqual([['s1', 's2', 's3']]);
    });

    it('starts the next request on the following slot, never right after the previous one', async () => {
      const { c, sink, clock, wake } = slotted(500);
      void c.submit('a');
      await tick();
      expect(clock.sleeps).toEqual([250]); // exactly on a boundary: the next one, so later parts can join
      await wake();
      void c.submit('b');
      clock.now = 790;
      sink.requests[0].done();
      await tick();
      expect(clock.sleeps).toEqual([250, 210]);
      await wake();
      expect(sink.requests.map((r) => r.parts)).toEqual([['a'], ['b']]);
    });

    it('checks deadlines when the slot comes, not when the part was submitted', async () => {
      const { c, sink, wake } = slotted(1_000);
      const late = c.submit('late', 1_100).catch((e: unknown) => e);
      await tick();
      await wake();
      expect(await late).toBeInstanceOf(WriteDeadlineError);
      expect(sink.requests).toHaveLength(0);
    });
  });
});
