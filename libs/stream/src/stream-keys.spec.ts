import { seenBucket, streamKeys } from './stream-keys';

describe('de-dup buckets', () => {
  it.each([
    // [now (ms), horizon (s), bucket]
    [0, 900, 0],
    [899_999, 900, 0],
    [900_000, 900, 1],
    [Date.parse('2026-11-23T12:00:00Z'), 900, 1_994_928],
    [Date.parse('2026-11-23T12:14:59.999Z'), 900, 1_994_928],
    [Date.parse('2026-11-23T12:15:00Z'), 900, 1_994_929],
    [5_999, 2, 2],
    [6_000, 2, 3],
  ])('at %i ms with a %i s horizon is bucket %i', (now, horizon, bucket) => {
    expect(seenBucket(now, horizon)).toBe(bucket);
  });

  it('names a set per shard, horizon and bucket, in the shard slot', () => {
    expect(streamKeys.seen(7, 900, 12)).toBe('clicks:{s7}:dedup:900:12');
  });
});
