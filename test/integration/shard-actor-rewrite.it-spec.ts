import { Pool } from 'pg';
import { ShardActor } from '@clicks/actor';
import { encodeClick } from '@clicks/events';
import { AggregateWriter, createPgPool, ensureSchema } from '@clicks/store';
import { ClicksRedis, createRedis, GROUPS, ShardStream, streamKeys } from '@clicks/stream';
import { eventually, resetRedis, runId, testConfig } from '../support/test-env';

const MIN = 60_000;
const LATENESS = 1000;
const LEASE_TTL = 10_000;

/**
 * After a takeover, a paused previous owner's write may land late and lower a window's row. The new owner re-writes
 * what it holds a lease period later; that must include windows it closed meanwhile, which it no longer holds.
 */
describe('a shard actor re-writes the windows it closed since its takeover', () => {
  const config = testConfig();
  const SHARD = 0;
  let redis: ClicksRedis;
  let reader: ClicksRedis;
  let writer: AggregateWriter;
  let pool: Pool;
  let actor: ShardActor | undefined;

  beforeAll(async () => {
    await resetRedis(config.redis.url);
    redis = createRedis(config.redis, 'rewrite-test');
    reader = createRedis(config.redis, 'rewrite-test-reader', { maxRetriesPerRequest: null });
    writer = await AggregateWriter.connect(config.questdb.httpUrl);
    pool = createPgPool(config.questdb.pgUrl);
    await ensureSchema(pool);
  });

  afterAll(async () => {
    await actor?.stop();
    await writer.close();
    await pool.end();
    await Promise.all([redis.quit(), reader.quit()]);
  });

  it('restores a final count that a stale write lowered after the window closed', async () => {
    const ad = `${runId()}-stale`;
    // A minute days ago that no other test writes to.
    const w = Math.floor(Date.now() / MIN) * MIN - (4 * 24 * 60 + Math.floor(Math.random() * 10_000)) * MIN;
    for (let i = 0; i < 5; i++) {
      await redis.xadd(streamKeys.stream(SHARD), '*', 'c', encodeClick({ eventId: `${ad}-${i}`, adId: ad, ts: w + i }));
    }
    // A later click closes the window in the same replay.
    const closer = { eventId: `${ad}-closer`, adId: `${ad}-next`, ts: w + MIN + LATENESS + 1 };
    await redis.xadd(streamKeys.stream(SHARD), '*', 'c', encodeClick(closer));
    // The previous owner had read them all (they are pending for the shard's consumer) and died before its
    // checkpoint; its write of the window may still be under way.
    const previous = new ShardStream(SHARD, redis, reader, GROUPS.aggregate);
    await previous.ensureGroup();
    expect(await previous.readNew(100, 50)).toHaveLength(6);

    actor = new ShardActor(
      SHARD,
      ShardActor.storesOf(new ShardStream(SHARD, redis, reader, GROUPS.aggregate), writer),
      { reportHotAds: () => Promise.resolve(), flushed: () => undefined },
      {
        hotAdThreshold: 1e9,
        owner: 'rewrite-test',
        flushIntervalMs: 100,
        allowedLatenessMs: LATENESS,
        streamTimeMaxSkewMs: 5000,
        idleAdvanceMs: 60_000,
        readBatchSize: 100,
        readBlockMs: 50,
        leaseTtlMs: LEASE_TTL,
        lateRetentionMs: 32 * 86_400_000,
      },
    );
    const takenOverAt = Date.now();
    actor.start();
    const clicks = async () =>
      Number(
        (
          await pool.query<{ n: number }>(
            "SELECT sum(clicks) n FROM ad_clicks_1m WHERE ad_id = $1 AND ts = $2 AND country = '--'",
            [ad, new Date(w)],
          )
        ).rows[0]?.n ?? NaN,
      );
    await eventually(clicks, (n) => n === 5);
    expect(actor.snapshotStats().openWindows).toBe(1); // the closer's; the ad's window is closed and dropped
    // The previous owner's stale write lands now (committed before this returns), within the first lease period.
    await writer.write([{ ts: w, adId: ad, country: '--', shard: 's0', clicks: 3 }]);
    await eventually(clicks, (n) => n === 3, 5000);
    expect(Date.now() - takenOverAt).toBeLessThan(LEASE_TTL);
    // A lease period after the takeover the actor writes its windows again, the closed one included.
    await eventually(clicks, (n) => n === 5, 2 * LEASE_TTL);
  });
});
