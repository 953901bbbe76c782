import { MinuteCountRow } from '@clicks/store';
import { flushRows } from './flush-rows';

describe('flushRows', () => {
  it('carries every late row, however many (200,000: more than a spread call can pass)', () => {
    const late: MinuteCountRow[] = Array.from({ length: 200_000 }, (_, i) => ({
      ts: 0,
      adId: `a${i}`,
      country: 'DE',
      shard: 's1/late',
      clicks: 1,
      late: true,
    }));
    const rows = flushRows('s1', [{ windowStart: 60_000, adId: 'b', country: 'US', clicks: 3 }], late, []);
    expect(rows).toHaveLength(200_001);
    expect(rows[0]).toEqual({ ts: 60_000, adId: 'b', country: 'US', shard: 's1', clicks: 3 });
    expect(rows[200_000]).toBe(late[199_999]);
  });
});
