import { HotAdDetector } from './hot-ad-detector';

describe('HotAdDetector', () => {
  it('reports ads above the threshold per second, then starts over', () => {
    const d = new HotAdDetector(10, 0);
    for (let i = 0; i < 50; i++) d.record('hot');
    for (let i = 0; i < 20; i++) d.record('warm');
    expect(d.hotSince(2000)).toEqual([{ adId: 'hot', clicksPerSecond: 25 }]);
    expect(d.hotSince(4000)).toEqual([]);
  });

  it('waits for a second of observation', () => {
    const d = new HotAdDetector(1, 0);
    for (let i = 0; i < 100; i++) d.record('a');
    expect(d.hotSince(500)).toEqual([]);
    expect(d.hotSince(1000)).toEqual([{ adId: 'a', clicksPerSecond: 100 }]);
  });
});
