/** Counts clicks per ad between two reports and names the ads whose rate crossed the threshold. */
export class HotAdDetector {
  private counts = new Map<string, number>();
  private since: number;

  constructor(
    private readonly thresholdPerSecond: number,
    now: number,
  ) {
    this.since = now;
  }

  record(adId: string): void {
    this.counts.set(adId, (this.counts.get(adId) ?? 0) + 1);
  }

  /** Ads above the threshold since the last call (at least one second of observation), then starts over. */
  hotSince(now: number): { adId: string; clicksPerSecond: number }[] {
    const seconds = (now - this.since) / 1000;
    if (seconds < 1) return [];
    const hot: { adId: string; clicksPerSecond: number }[] = [];
    for (const [adId, n] of this.counts) {
      const rate = n / seconds;
      if (rate > this.thresholdPerSecond) hot.push({ adId, clicksPerSecond: Math.round(rate) });
    }
    this.counts = new Map();
    this.since = now;
    return hot;
  }
}
