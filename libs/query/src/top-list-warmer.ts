import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { TopAdsQuery } from './top-ads.query';

/**
 * Keeps the per-minute top lists of the last TOP_LIST_WARM_MINUTES read ahead of queries: at start, so the first
 * top-N query after a deploy does not read every minute of its window (about a second at the seed's scale), and then
 * every TOP_LIST_WARM_INTERVAL_MS, renewing each list that would pass its maximum age before the next run.
 */
@Injectable()
export class TopListWarmer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('TopListWarmer');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly topAds: TopAdsQuery,
    private readonly metrics: ClickMetrics,
  ) {
    metrics.beforeScrape(() => Promise.resolve(this.metrics.topListsCached.set(this.topAds.cachedLists)));
  }

  private get minutes(): number {
    const { size, maxMinutes, warmMinutes } = this.config.query.topLists;
    return size === 0 ? 0 : Math.min(warmMinutes, maxMinutes);
  }

  onApplicationBootstrap(): void {
    if (this.minutes === 0) return;
    const warm = () => {
      this.running ??= this.warmOnce().finally(() => (this.running = undefined));
    };
    warm();
    this.timer = setInterval(warm, this.config.query.topLists.warmIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Never throws: a failed warm-up only leaves the next query to read what it needs. */
  private async warmOnce(): Promise<void> {
    try {
      // Renew what would expire before the next run, so no list ever goes cold between runs.
      await this.topAds.warm(this.minutes, this.config.query.topLists.warmIntervalMs);
    } catch (e) {
      this.log.warn(`warming the top lists failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
