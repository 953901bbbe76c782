import { ClickEvent } from '@clicks/events';
import { ClicksRedis, ClickStreamWriter, createRedis, streamKeys } from '@clicks/stream';
import { resetRedis, testConfig } from '../support/test-env';

const SHARD = 5;
const HORIZON_S = 2;
const GROUP_COMMIT = { maxBatch: 1000, delayMs: 1, maxInFlight: 10_000 };

const click = (eventId: string): ClickEvent => ({ eventId, adId: 'ad-1', ts: Date.now(), country: 'US' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the next horizon bucket (by this clock) is at least `intoMs` old, so a test starts at a known point. */
async function startOfBucket(intoMs = 50): Promise<void> {
  const len = HORIZON_S * 1000;
  await sleep(len - (Date.now() % len) + intoMs);
}

describe('de-dup sets per time bucket (ENQUEUE_CLICKS) against real Redis', () => {
  const config = testConfig();
  let redis: ClicksRedis;
  let writer: ClickStreamWriter;

  beforeAll(() => {
    redis = createRedis(config.redis, 'dedup-buckets-test');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await redis.quit();
  });
  beforeEach(async () => {
    jest.restoreAllMocks();
    await resetRedis(config.redis.url);
    writer = new ClickStreamWriter(redis, HORIZON_S, GROUP_COMMIT);
  });

  it("packs one call's new clicks of a shard into one entry, in order, without its duplicates", async () => {
    await startOfBucket();
    await writer.append({ shard: SHARD, event: click('p-0') });
    const outcomes = await writer.appendMany(
      ['p-1', 'p-0', 'p-2', 'p-1', 'p-3'].map((id) => ({ shard: SHARD, event: click(id) })),
    );
    expect(outcomes).toEqual(['appended', 'duplicate', 'appended', 'duplicate', 'appended']);
    const entries = await redis.xrange(streamKeys.stream(SHARD), '-', '+');
    expect(entries.map(([, fields]) => fields[0])).toEqual(['clicks', 'clicks']);
    const ids = entries.map(([, fields]) =>
      fields[1].split('\n').map((json) => (JSON.parse(json) as ClickEvent).eventId),
    );
    expect(ids).toEqual([['p-0'], ['p-1', 'p-2', 'p-3']]);
  });

  it('cuts duplicates out of a packed entry wherever they are, and keeps newlines inside a click', async () => {
    await startOfBucket();
    await writer.appendMany(['d-1', 'd-2', 'd-3'].map((id) => ({ shard: SHARD, event: click(id) })));
    const multiline: ClickEvent = { ...click('n-1'), userAgent: 'line one\nline two' };
    const outcomes = await writer.appendMany(
      [click('d-1'), multiline, click('d-2'), click('n-2'), click('d-3')].map((event) => ({ shard: SHARD, event })),
    );
    expect(outcomes).toEqual(['duplicate', 'appended', 'duplicate', 'appended', 'duplicate']);
    const entries = await redis.xrange(streamKeys.stream(SHARD), '-', '+');
    expect(entries).toHaveLength(2);
    const stored = entries[1][1][1].split('\n').map((json) => JSON.parse(json) as ClickEvent);
    expect(stored.map((e) => e.eventId)).toEqual(['n-1', 'n-2']);
    expect(stored[0].userAgent).toBe('line one\nline two');
  });

  it('remembers an id across a bucket boundary, for at least one horizon and at most two', async () => {
    await startOfBucket(HORIZON_S * 1000 - 400);
    expect(await writer.append({ shard: SHARD, event: click('e-1') })).toBe('appended');
    await sleep(600); // now in the next bucket: the id is found in the previous one
    expect(await writer.append({ shard: SHARD, event: click('e-1') })).toBe('duplicate');
    expect(await writer.seenMany([{ shard: SHARD, eventId: 'e-1' }])).toEqual([true]);
    await sleep(2 * HORIZON_S * 1000);
    expect(await writer.append({ shard: SHARD, event: click('e-1') })).toBe('appended');
    expect(await redis.xlen(streamKeys.stream(SHARD))).toBe(2);
  });

  it('sets expire after two horizons, so memory holds at most two horizons of ids', async () => {
    await startOfBucket();
    await writer.appendMany(['a', 'b', 'c'].map((id) => ({ shard: SHARD, event: click(id) })));
    const bucket = Math.floor(Date.now() / 1000 / HORIZON_S);
    const key = streamKeys.seen(SHARD, HORIZON_S, bucket);
    expect(await redis.scard(key)).toBe(3);
    const expiresAt = await redis.pexpiretime(key);
    expect(expiresAt).toBe((bucket + 2) * HORIZON_S * 1000);
  });

  it('counts a repeat within one call once, and keeps shards apart', async () => {
    const outcomes = await writer.appendMany([
      { shard: SHARD, event: click('x') },
      { shard: SHARD, event: click('x') },
      { shard: SHARD + 1, event: click('x') },
    ]);
    expect(outcomes).toEqual(['appended', 'duplicate', 'appended']);
  });

  it('a call whose only duplicate is in the previous bucket is still a write (touch), for a WAIT to cover', async () => {
    const aofSize = async () => Number(/aof_current_size:(\d+)/.exec(await redis.info('persistence'))?.[1]);
    await startOfBucket(HORIZON_S * 1000 - 400);
    expect(await writer.append({ shard: SHARD, event: click('t-1') })).toBe('appended');
    await sleep(600); // the next bucket, whose set does not exist yet
    const b = Math.floor(Date.now() / 1000 / HORIZON_S);
    const sets = [b - 2, b - 1, b, b + 1].map((x) => streamKeys.seen(SHARD, HORIZON_S, x));
    const keys = [streamKeys.stream(SHARD), ...sets];
    const before = await aofSize();
    expect(await redis.enqueueClicks(keys.length, ...keys, 1, HORIZON_S, 1, b, 'clicks', 1, 't-1', '{}')).toEqual([
      [0, 1],
    ]);
    expect(await aofSize()).toBeGreaterThan(before);
    expect(await redis.exists(sets[2])).toBe(0);
  });

  it('agrees with a writer whose clock is off by less than a horizon, and refuses one that is further off', async () => {
    await startOfBucket(HORIZON_S * 1000 - 500);
    expect(await writer.append({ shard: SHARD, event: click('s-1') })).toBe('appended');
    const realNow = Date.now.bind(Date);
    // A second ingest whose clock runs 0.9 horizons ahead: its bucket is the next one, Redis's is still this one.
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 0.9 * HORIZON_S * 1000);
    const ahead = new ClickStreamWriter(redis, HORIZON_S, GROUP_COMMIT);
    expect(await ahead.append({ shard: SHARD, event: click('s-1') })).toBe('duplicate');
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 3 * HORIZON_S * 1000);
    const far = new ClickStreamWriter(redis, HORIZON_S, GROUP_COMMIT);
    await expect(far.append({ shard: SHARD, event: click('s-2') })).rejects.toThrow(/CLOCKSKEW/);
    expect(await redis.xlen(streamKeys.stream(SHARD))).toBe(1);
  });
});
