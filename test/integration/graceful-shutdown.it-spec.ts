import { ClickProducer, settledCounts } from '../support/ground-truth';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { resetRedis, runId, testConfig } from '../support/test-env';

const ENV = { SHARD_COUNT: '4', LEASE_TTL_MS: '2000', FLUSH_INTERVAL_MS: '200', SHUTDOWN_GRACE_MS: '15000' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGTERM under load', () => {
  const config = testConfig(ENV);
  const procs: AppProcess[] = [];
  const start = async (app: 'ingest' | 'aggregator', name: string, port?: number) => {
    const p = await AppProcess.start(app, name, port ?? (await freePortAsync()), ENV);
    procs.push(p);
    await p.waitReady();
    return p;
  };

  beforeAll(() => resetRedis(config.redis.url));
  afterAll(() => Promise.all(procs.map((p) => p.kill9())));

  it('ingest drains and the aggregator hands off within the grace period; nothing is lost or doubled', async () => {
    const ingestPort = await freePortAsync();
    let ingest = await start('ingest', 'ingest-1', ingestPort);
    const worker = await start('aggregator', 'drain-w1');
    const run = runId();
    const producer = new ClickProducer(
      ingest.url,
      run,
      ['a', 'b', 'c', 'd'].map((x) => `${run}-${x}`),
    );
    producer.start();
    await sleep(800);

    const t0 = Date.now();
    ingest.signal('SIGTERM');
    await ingest.exited();
    expect(ingest.child.exitCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15000);
    ingest = await start('ingest', 'ingest-2', ingestPort); // the producer retries until it is back

    await sleep(800);
    const t1 = Date.now();
    worker.signal('SIGTERM'); // flush, checkpoint, release leases
    await worker.exited();
    expect(worker.child.exitCode).toBe(0);
    expect(Date.now() - t1).toBeLessThan(15000);
    await start('aggregator', 'drain-w2');
    await sleep(800);
    await producer.stop();

    const { counts, expected } = await settledCounts(config.questdb.pgUrl, run, producer);
    expect(counts).toEqual(expected);
  });
});
