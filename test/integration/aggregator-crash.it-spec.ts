import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { freePortAsync } from '../support/ports';
import { AppProcess } from '../support/processes';
import { ClickProducer, settledCounts } from '../support/ground-truth';
import { eventually, resetRedis, runId, startApp, testConfig } from '../support/test-env';

const WORKER_ENV = {
  SHARD_COUNT: '4',
  LEASE_TTL_MS: '2000',
  FLUSH_INTERVAL_MS: '200',
  ADMIN_TOKEN: 'test-admin-token',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('aggregator workers as real processes: crashes, races, rebalancing', () => {
  const config = testConfig(WORKER_ENV);
  let ingestApp: NestFastifyApplication;
  let ingest: string;
  const workers: AppProcess[] = [];

  const worker = async (name: string) => {
    const w = await AppProcess.start('aggregator', name, await freePortAsync(), WORKER_ENV);
    workers.push(w);
    return w;
  };

  beforeEach(async () => {
    await resetRedis(config.redis.url);
    ({ app: ingestApp, url: ingest } = await startApp(createIngestApp(config)));
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill9()));
    await ingestApp.close();
  });

  async function expectExact(run: string, producer: ClickProducer) {
    const { counts, expected } = await settledCounts(config.questdb.pgUrl, run, producer);
    expect(counts).toEqual(expected);
    expect(producer.sent).toBeGreaterThan(200);
  }

  it('kill -9 mid-stream and again while recovering: counts stay exact', async () => {
    const run = runId();
    const producer = new ClickProducer(
      ingest,
      run,
      ['a', 'b', 'c', 'd', 'e'].map((x) => `${run}-${x}`),
    );
    let w = await worker('w1');
    await w.waitReady();
    producer.start();
    await sleep(1500);
    await w.kill9();
    await sleep(500);
    w = await worker('w1');
    await sleep(800); // still waiting for the dead instance's lease, or replaying: kill it again
    await w.kill9();
    w = await worker('w1');
    await w.waitReady();
    await sleep(1000);
    await producer.stop();
    await expectExact(run, producer);
  });

  it('two workers racing for the same shards from a cold start: one writer per shard, exact counts', async () => {
    const run = runId();
    const producer = new ClickProducer(
      ingest,
      run,
      ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `${run}-${x}`),
    );
    producer.start();
    const [w1, w2] = await Promise.all([worker('w1'), worker('w2')]);
    await Promise.all([w1.waitReady(), w2.waitReady()]);
    await sleep(1500);
    await producer.stop();
    await expectExact(run, producer);
  });

  it('a paused owner (SIGSTOP) loses its shards to another worker and cannot overwrite its work', async () => {
    const run = runId();
    const producer = new ClickProducer(
      ingest,
      run,
      ['a', 'b', 'c'].map((x) => `${run}-${x}`),
    );
    const w1 = await worker('w1');
    await w1.waitReady();
    producer.start();
    await sleep(1000);
    w1.signal('SIGSTOP');
    const w2 = await worker('w2');
    await w2.waitReady(); // owns every shard once w1's heartbeat and leases expired
    await sleep(1500);
    w1.signal('SIGCONT'); // w1 wakes up with stale state: its writes must be refused or overwritten
    await sleep(1500);
    await producer.stop();
    await expectExact(run, producer);
  });

  it('rebalances from 1 to 3 workers and back while clicks flow', async () => {
    const run = runId();
    const producer = new ClickProducer(
      ingest,
      run,
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((x) => `${run}-${x}`),
    );
    const w1 = await worker('w1');
    await w1.waitReady();
    producer.start();
    await sleep(1000);
    const [w2, w3] = await Promise.all([worker('w2'), worker('w3')]);
    await Promise.all([w2.waitReady(), w3.waitReady()]);
    await sleep(1500);
    await Promise.all([w2.terminate(), w3.terminate()]);
    await eventually(
      () => fetch(`${w1.url}/health/ready`).then((r) => r.status),
      (s) => s === 200,
    );
    await sleep(1000);
    await producer.stop();
    await expectExact(run, producer);
  });
});
