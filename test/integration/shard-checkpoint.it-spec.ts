import {
  CheckpointCommit,
  ClicksRedis,
  StateDelta,
  createRedis,
  FencedError,
  ShardStream,
  streamKeys,
} from '@clicks/stream';
import { resetRedis, testConfig } from '../support/test-env';

const T0 = Date.parse('2026-11-23T12:00:00Z');
const MIN = 60_000;
const SHARD = 3;

describe('shard checkpoints in Redis: deltas, restore, fencing, the older whole-state format', () => {
  const config = testConfig();
  let redis: ClicksRedis;
  let stream: ShardStream;

  beforeAll(() => {
    redis = createRedis(config.redis, 'checkpoint-test');
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    await resetRedis(config.redis.url);
    stream = new ShardStream(SHARD, redis, redis);
    await stream.ensureGroup();
  });

  it('keeps one hash per open window, updated by deltas, and restores every cell', async () => {
    const epoch = await stream.acquireLease('owner-a', 10_000);
    expect(await stream.loadCheckpoint()).toBeNull();
    await stream.checkpoint(
      {
        observedStreamTime: T0 + 30_000,
        openWindows: [T0 - MIN, T0],
        changed: [
          [T0 - MIN, [['a\u0000US', 3]]],
          [
            T0,
            [
              ['a\u0000US', 1],
              ['b\u0000DE', 2],
            ],
          ],
        ],
        closed: [],
      },
      commit(epoch, 0, '5-0'),
    );
    // Next flush: one cell changed, the older window closed.
    await stream.checkpoint(
      { observedStreamTime: T0 + 59_000, openWindows: [T0], changed: [[T0, [['b\u0000DE', 7]]]], closed: [T0 - MIN] },
      commit(epoch, 1, '9-0'),
    );
    expect(await redis.exists(streamKeys.window(SHARD, T0 - MIN))).toBe(0);
    const cp = await stream.loadCheckpoint();
    expect(cp).toMatchObject({ lastId: '9-0', epoch, seq: 2, observedStreamTime: T0 + 59_000 });
    expect(cp?.windows.map(([s, cells]) => [s, [...cells].sort()])).toEqual([
      [
        T0,
        [
          ['a\u0000US', 1],
          ['b\u0000DE', 7],
        ],
      ],
    ]);
    expect(await stream.checkpointHead()).toEqual({ lastId: '9-0', epoch, streamTime: T0 + 59_000 });
  });

  it('refuses a checkpoint at an old epoch and changes nothing', async () => {
    const epoch = await stream.acquireLease('owner-a', 10_000);
    const delta = { observedStreamTime: T0, openWindows: [T0], changed: [], closed: [] };
    await stream.checkpoint(delta, commit(epoch, 0, '1-0'));
    await redis.del(streamKeys.lease(SHARD));
    const next = await stream.acquireLease('owner-b', 10_000);
    expect(next).toBeGreaterThan(epoch);
    const stale = { ...delta, changed: [[T0, [['x\u0000US', 99]]]] as [number, [string, number][]][] };
    await expect(stream.checkpoint(stale, commit(epoch, 1, '2-0'))).rejects.toBeInstanceOf(FencedError);
    expect(await redis.exists(streamKeys.window(SHARD, T0))).toBe(0);
    expect(await stream.checkpointHead()).toEqual({ lastId: '1-0', epoch, streamTime: T0 });
  });

  it('refuses a delta on another base than the checkpoint it follows (compare-and-set on seq)', async () => {
    const epoch = await stream.acquireLease('owner-a', 10_000);
    const delta: StateDelta = {
      observedStreamTime: T0,
      openWindows: [T0],
      changed: [[T0, [['a\u0000US', 1]]]],
      closed: [],
    };
    expect((await stream.checkpoint(delta, commit(epoch, 0, '1-0'))).seq).toBe(1);
    expect((await stream.checkpoint(delta, commit(epoch, 1, '2-0'))).seq).toBe(2);
    // As after a failover that lost checkpoint 2: the actor still believes it follows seq 2, Redis holds seq 1.
    await redis.hset(streamKeys.checkpoint(SHARD), 'seq', '1', 'lastId', '1-0');
    const next: StateDelta = { ...delta, changed: [[T0, [['a\u0000US', 5]]]] };
    await expect(stream.checkpoint(next, commit(epoch, 2, '3-0'))).rejects.toThrow(/FENCED checkpoint seq 1 is not 2/);
    expect(await stream.checkpointHead()).toMatchObject({ lastId: '1-0' });
    expect(await redis.hget(streamKeys.window(SHARD, T0), 'a\u0000US')).toBe('1');
  });

  it('fenced reads deliver only to the lease holder at its epoch', async () => {
    await redis.xadd(streamKeys.stream(SHARD), '*', 'c', '{}');
    const old = await stream.acquireLease('owner-a', 10_000);
    await redis.del(streamKeys.lease(SHARD));
    const epoch = await stream.acquireLease('owner-b', 10_000);
    await expect(stream.fencedRead(old, '>', 10)).rejects.toBeInstanceOf(FencedError);
    expect((await stream.info()).groups.aggregate.pending).toBe(0);
    const batch = await stream.fencedRead(epoch, '>', 10);
    expect(batch.entries).toHaveLength(1);
    const empty = await stream.fencedRead(epoch, '>', 10);
    expect(empty).toEqual({ entries: [], lastDeliveredId: batch.entries[0].id });
    // A pending entry whose body was trimmed comes back marked, not as a crash.
    await redis.xtrim(streamKeys.stream(SHARD), 'MAXLEN', 0);
    expect((await stream.fencedRead(epoch, '0', 10)).entries).toEqual([{ id: batch.entries[0].id, trimmed: true }]);
  });

  it('takes a takeover-sized delta: more cells and late cells than a spread call can pass (150,000 each)', async () => {
    // A new owner's first checkpoint holds every open cell; at seed scale that is 100,000s. Passed as call arguments
    // (two per cell) they overflowed the stack ("Maximum call stack size exceeded") and the shard never recovered.
    const epoch = await stream.acquireLease('owner-a', 10_000);
    const cells = Array.from({ length: 150_000 }, (_, i): [string, number] => [`ad-${i}\u0000US`, (i % 7) + 1]);
    await stream.checkpoint(
      { observedStreamTime: T0 + 1_000, openWindows: [T0], changed: [[T0, cells]], closed: [] },
      { ...commit(epoch, 0, '7-0'), lateCells: [[T0 - 5 * MIN, cells]], lateTtlMs: 60_000 },
    );
    const restored = await stream.loadCheckpoint();
    expect(restored?.windows).toHaveLength(1);
    expect(restored?.windows[0][1]).toHaveLength(150_000);
    expect(new Map(restored?.windows[0][1]).get('ad-149999\u0000US')).toBe((149_999 % 7) + 1);
    const late = await stream.lateCounts([[T0 - 5 * MIN, cells.map(([key]) => key)]]);
    expect(late.size).toBe(150_000);
  });

  it('reads a checkpoint written as one JSON state, and replaces it with window hashes', async () => {
    const old = { observedStreamTime: T0, windows: [[T0, [['a\u0000US', 4]]]] };
    await redis.hset(streamKeys.checkpoint(SHARD), 'state', JSON.stringify(old), 'lastId', '3-0', 'epoch', '1');
    const cp = await stream.loadCheckpoint();
    expect(cp).toEqual({ lastId: '3-0', epoch: 1, seq: 0, observedStreamTime: T0, windows: old.windows });
    // Its stream time is inside the JSON: reconciliation waits for the next checkpoint.
    expect((await stream.checkpointHead())?.streamTime).toBe(Number.NEGATIVE_INFINITY);
    const epoch = await stream.acquireLease('owner-a', 10_000);
    // A new owner re-marks every restored cell changed, so its first delta carries them all.
    await stream.checkpoint(
      { observedStreamTime: T0, openWindows: [T0], changed: [[T0, [['a\u0000US', 4]]]], closed: [] },
      commit(epoch, 0, '3-0'),
    );
    expect(await redis.hexists(streamKeys.checkpoint(SHARD), 'state')).toBe(0);
    expect((await stream.loadCheckpoint())?.windows).toEqual(old.windows);
  });
});

function commit(epoch: number, seq: number, lastId: string): CheckpointCommit {
  return { epoch, seq, lastId, late: [], deadLetters: [], ids: [] };
}
