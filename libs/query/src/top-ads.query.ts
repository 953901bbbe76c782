import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { AdTotal, ClickFilter, ClickQueryRepository } from '@clicks/store';
import { QueryCache } from './query-cache';
import { TopAdsFromMinuteLists } from './top-ads-from-lists';
import { parseFilter, parseTopN, RawFilter } from './query-params';
import { RangeParams, resolveRange } from './time-range';
import { AdSetReader } from './ad-set';
import { AD_DIRECTORY, AdDirectory, checkRawFilters, Viewer } from './viewer';

export interface TopAdsParams extends RangeParams {
  n?: string | number | null;
  filter?: RawFilter;
}

export interface TopAdsAnswer {
  from: string;
  to: string;
  n: number;
  filters: ClickFilter;
  ads: AdTotal[];
}

/** The most clicked ads over a window: clicks descending, then ad id ascending; exact under any filter. */
@Injectable()
export class TopAdsQuery {
  private readonly cache: QueryCache<AdTotal[]>;
  private readonly fromLists: TopAdsFromMinuteLists;
  private readonly adSets: AdSetReader;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ClickQueryRepository,
    private readonly metrics: ClickMetrics,
    @Inject(AD_DIRECTORY) private readonly ads: AdDirectory,
  ) {
    this.cache = new QueryCache(config.query.cacheMs, { maxBytes: config.query.cacheMaxBytes });
    this.adSets = new AdSetReader(repository);
    this.fromLists = new TopAdsFromMinuteLists(repository, {
      ...config.query.topLists,
      cacheMs: config.query.cacheMs,
    });
  }

  /**
   * Reads the per-minute top lists of the last `minutes` minutes ahead of queries, renewing those that would expire
   * within `renewWithinMs`; returns how many it read.
   */
  warm(minutes: number, renewWithinMs: number, now = Date.now()): Promise<number> {
    const range = resolveRange({ minutes: String(minutes) }, now, this.config.query.maxWindowMs);
    return this.fromLists.warm(range.from, range.to, renewWithinMs);
  }

  /** Per-minute top lists held in memory. */
  get cachedLists(): number {
    return this.fromLists.cachedLists;
  }

  /** An advertiser's top ranks only its own ads. */
  async run(params: TopAdsParams, viewer: Viewer, now = Date.now()): Promise<TopAdsAnswer> {
    const n = parseTopN(params.n);
    const range = resolveRange(params, now, this.config.query.maxWindowMs);
    const filters = parseFilter(params.filter ?? {});
    checkRawFilters(filters, viewer, range, this.config.query.rawMaxWindowMs, params.minutes ? 'minutes' : 'from');
    const answer = (ads: AdTotal[]) => ({
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      n,
      filters,
      ads,
    });
    if (viewer.kind === 'advertiser') {
      const { advertiserId } = viewer;
      const key = JSON.stringify([advertiserId, range.from, range.to, n, filters]);
      const timer = this.metrics.querySeconds.startTimer({ kind: 'top_ads', source: 'ad_set' });
      const ads = await this.cache.get(key, async () =>
        this.adSets.top(await this.ads.adsOfAdvertiser(advertiserId), range.from, range.to, n, filters.country),
      );
      timer();
      return answer(ads);
    }
    const key = JSON.stringify([range.from, range.to, n, filters]);
    const timer = this.metrics.querySeconds.startTimer({ kind: 'top_ads' });
    let source = this.cache.fresh(key) ? 'cache' : 'questdb';
    const ads = await this.cache.get(key, async () => {
      // ip and userId are read from the raw archive; the lists are built from the minute aggregates.
      const fromAggregates = filters.ip === undefined && filters.userId === undefined;
      const merged = fromAggregates ? await this.fromLists.topAds(range.from, range.to, n, filters.country) : undefined;
      if (merged) source = 'top_lists';
      return merged ?? (await this.repository.topAds(range.from, range.to, n, filters));
    });
    timer({ source });
    return answer(ads);
  }
}
