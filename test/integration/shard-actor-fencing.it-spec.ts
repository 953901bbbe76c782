import { Pool } from 'pg';
import { ShardActor } from '@clicks/actor';
import { encodeClick } from '@clicks/events';
import { AggregateWriter, MinuteCountRow, createPgPool, ensureSchema } from '@clicks/store';
import { ClicksRedis, createRedis, GROUPS, ShardStream, streamKeys } from '@clicks/stream';
import { eventually, resetRedis, runId, testConfig } from '../support/test-env';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The real QuestDB writer, counting the rows each actor sends through it. */
class CountingWriter {
  rows = 0;
  constructor(private readonly inner: AggregateWriter) {}
  write(rows: readonly MinuteCountRow[], deadline?: number): Promise<void> {
    this.rows += rows.length;
    return this.inner.write(rows, deadline);
  }
}

/** Shard actors in-process against the real Redis and QuestDB of the test setup. */
describe('shard actor: fenced reads and entries it cannot count', () => {
  const config = testConfig();
  const SHARD = 2;
  let redis: ClicksRedis;
  const readers: ClicksRedis[] = [];
  let writer: AggregateWriter;
  let pool: Pool;
  const actors: ShardActor[] = [];

  const actor = (owner: string, sink: CountingWriter) => {
    const reader = createRedis(config.redis, `${owner}-reader`, { commandTimeout: 2000 });
    readers.push(reader);
    const a = new ShardActor(
      SHARD,
      ShardActor.storesOf(new ShardStream(SHARD, redis, reader, GROUPS.aggregate), sink),
      { reportHotAds: () => Promise.resolve(), flushed: () => undefined },
      {
        hotAdThreshold: 1e9,
        owner,
        flushIntervalMs: 100,
        allowedLatenessMs: 60_000,
        streamTimeMaxSkewMs: 5000,
        idleAdvanceMs: 60_000,
        readBatchSize: 100,
        readBlockMs: 50,
        leaseTtlMs: 3000,
        lateRetentionMs: 32 * 86_400_000,
      },
    );
    actors.push(a);
    a.start();
    return a;
  };

  const appendClicks = async (ad: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const click = { eventId: `${ad}-${runId()}`, adId: ad, ts: Date.now() };
      await redis.xadd(streamKeys.stream(SHARD), '*', 'c', encodeClick(click));
    }
  };

  const questDbClicks = async (ad: string) =>
    Number(
      (await pool.query<{ n: string }>('SELECT sum(clicks) n FROM ad_clicks_1m WHERE ad_id = $1', [ad])).rows[0]?.n ??
        0,
    );

  beforeAll(async () => {
    redis = createRedis(config.redis, 'fencing-test');
    writer = await AggregateWriter.connect(config.questdb.httpUrl);
    pool = createPgPool(config.questdb.pgUrl);
    await ensureSchema(pool);
  });

  beforeEach(() => resetRedis(config.redis.url));

  afterEach(async () => {
    await Promise.all(actors.splice(0).map((a) => a.stop()));
    readers.splice(0).forEach((r) => r.disconnect());
    await resetRedis(config.redis.url); // leaves no malformed entry for later tests that read every stream
  });

  afterAll(async () => {
    await writer.close();
    await pool.end();
    await redis.quit();
  });

  it('an owner whose lease moved on (as after a pause) reads and writes nothing more; the new owner counts all', async () => {
    const ad = `${runId()}-fenced`;
    const oldSink = new CountingWriter(writer);
    const old = actor('old-owner', oldSink);
    await appendClicks(ad, 10);
    await eventually(
      () => Promise.resolve(old.snapshotStats()),
      (s) => s.applied === 10 && s.lastFlushRows === 0 && s.flushes > 2,
    );
    // The lease expires while the old owner is paused and another worker takes it (a new epoch) in one step.
    const epoch = await redis.incr(streamKeys.epoch(SHARD));
    await redis.hset(streamKeys.lease(SHARD), 'owner', 'new-owner', 'epoch', epoch);
    await redis.pexpire(streamKeys.lease(SHARD), 10_000);
    const rowsBefore = oldSink.rows;
    const appliedBefore = old.snapshotStats().applied;
    await appendClicks(ad, 20);
    await sleep(300); // the old owner's loop comes round many times (50 ms reads), its renewal not yet due
    const fresh = actor('new-owner', new CountingWriter(writer));
    await eventually(
      () => questDbClicks(ad),
      (n) => n === 30,
    );
    expect(fresh.snapshotStats().epoch).toBe(epoch);
    expect(old.snapshotStats().applied).toBe(appliedBefore);
    expect(oldSink.rows).toBe(rowsBefore);
  });

  it('skips, counts and dead-letters a trimmed pending entry and malformed entries; the shard goes on', async () => {
    const ad = `${runId()}-dead`;
    const key = streamKeys.stream(SHARD);
    const click = (ts: number) => encodeClick({ eventId: `${ad}-${runId()}`, adId: ad, ts });
    const gone = await redis.xadd(key, '*', 'c', click(Date.now()));
    await redis.xadd(key, '*', 'c', click(Date.now()));
    // A previous owner read both and died; then the first one's body was trimmed away before anyone acknowledged it.
    const previous = new ShardStream(SHARD, redis, redis, GROUPS.aggregate);
    await previous.ensureGroup();
    expect(await previous.readNew(10, 0)).toHaveLength(2);
    await redis.xdel(key, gone!);
    await redis.xadd(key, '*', 'c', 'not json');
    await redis.xadd(key, '*', 'c', click(Date.now() + 0.5)); // a fractional ts would make every flush throw
    await redis.xadd(key, '*', 'c', click(Date.now()));
    const a = actor('dead-letter-owner', new CountingWriter(writer));
    await eventually(
      () => Promise.resolve(a.snapshotStats()),
      (s) => s.applied === 2 && s.trimmed === 1 && s.malformed === 2,
    );
    await eventually(
      () => questDbClicks(ad),
      (n) => n === 2,
    );
    const dead = (await redis.xrange(streamKeys.deadLetter(SHARD), '-', '+')).map(
      ([, fields]) => JSON.parse(fields[1]) as { entryId: string; reason: string },
    );
    expect(dead.map((d) => d.reason).sort()).toEqual(['malformed', 'malformed', 'trimmed']);
    expect(dead.find((d) => d.reason === 'trimmed')?.entryId).toBe(gone);
    await eventually(
      () => previous.info(),
      (i) => i.groups[GROUPS.aggregate].pending === 0,
    );
    // And it keeps counting.
    await appendClicks(ad, 3);
    await eventually(
      () => questDbClicks(ad),
      (n) => n === 5,
    );
  });
});
