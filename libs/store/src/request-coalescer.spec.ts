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
});
