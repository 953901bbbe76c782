import { clickEntryFields, ClicksRedis, createRedis, ShardStream, streamKeys } from '@clicks/stream';
import { resetRedis, testConfig } from '../support/test-env';

const SHARD = 6;

describe('shard stream reads against real Redis: how many entries a read asks for', () => {
  const config = testConfig();
  let redis: ClicksRedis;
  let stream: ShardStream;

  beforeAll(() => {
    redis = createRedis(config.redis, 'shard-stream-reads-test');
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(async () => {
    await resetRedis(config.redis.url);
    stream = new ShardStream(SHARD, redis, redis);
    await stream.ensureGroup();
  });

  const append = async (entries: number, clicksEach: number) => {
    const pipeline = redis.pipeline();
    for (let e = 0; e < entries; e++) {
      const clicks = Array.from({ length: clicksEach }, (_, c) => JSON.stringify({ eventId: `e${e}-${c}`, adId: 'a' }));
      pipeline.xadd(streamKeys.stream(SHARD), '*', ...clickEntryFields(clicks));
    }
    await pipeline.exec();
  };

  it('takes at most a sixteenth of the asked clicks in entries, whatever they hold', async () => {
    await append(300, 1);
    expect(await stream.readNew(2000, 0)).toHaveLength(125); // not all 300 single-click entries
    await append(10, 1000);
    expect(await stream.readNew(2000, 0)).toHaveLength(125); // 125 of the 175 single-click entries left
    // Sized by the single-click entries before, this read meets large ones: still at most 125 entries.
    const next = await stream.readNew(2000, 0);
    expect(new Set(next.map((e) => e.id)).size).toBe(60); // the 50 single-click entries left and the 10 large ones
    expect(next).toHaveLength(50 + 10 * 1000);
  });

  it('scales the entry count down by the clicks per entry of the last read', async () => {
    await append(40, 100);
    expect(await stream.readNew(2000, 0)).toHaveLength(4000); // all 40 entries (up to 125 asked)
    await append(40, 100);
    expect(await stream.readNew(2000, 0)).toHaveLength(2000); // 20 entries of 100
  });
});
