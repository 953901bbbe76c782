import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePortAsync } from '../support/ports';
import { eventually } from '../support/test-env';

// npm start's own Redis and QuestDB are kept running like pods: a server killed -9 comes back on its data.
interface LocalServer {
  child: { pid?: number; kill(signal: string): boolean };
  stop(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startRedis(o: { dir: string; port: number; maxmemory: string }): Promise<LocalServer>;
  redisPing(host: string, port: number): Promise<boolean>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { supervised } = require('../../scripts/lib/stack-env') as {
  supervised: (name: string, start: () => Promise<LocalServer>, first: LocalServer, retryMs?: number) => LocalServer;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local stack supervisor (npm start, npm run stack)', () => {
  it('starts a Redis killed -9 again on the same data, and nothing after stop()', async () => {
    const port = await freePortAsync();
    const dir = mkdtempSync(join(tmpdir(), 'clicks-supervisor-'));
    const start = () => stack.startRedis({ dir, port, maxmemory: '64mb' });
    const redis = supervised('redis', start, await start(), 500);
    const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.set('kept', 'yes');
      const firstPid = redis.child.pid;
      redis.child.kill('SIGKILL');
      await eventually(
        async () => (await stack.redisPing('127.0.0.1', port)) && redis.child.pid !== firstPid,
        (up) => up,
        30_000,
      );
      expect(await client.get('kept')).toBe('yes'); // AOF with fsync always: nothing acknowledged is lost
      await redis.stop();
      await sleep(2000);
      expect(await stack.redisPing('127.0.0.1', port)).toBe(false);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  }, 60_000);
});
