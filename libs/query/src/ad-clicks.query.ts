import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { CountByReason } from '@clicks/fraud';
import { ClickMetrics } from '@clicks/metrics';
import { ClickFilter, ClickQueryRepository, MinuteTotal } from '@clicks/store';
import { QueryCache } from './query-cache';
import { Granularity, GRANULARITY_MS, parseAdId, parseFilter, parseGranularity, RawFilter } from './query-params';
import { fillSeries, invalidOfSeries, RangeParams, resolveRange, SeriesPoint } from './time-range';
import { AD_DIRECTORY, AdDirectory, checkRawFilters, NotVisibleError, Viewer } from './viewer';

export interface AdClicksParams extends RangeParams {
  granularity?: string | null;
  filter?: RawFilter;
}

export interface AdClicksAnswer {
  adId: string;
  from: string;
  to: string;
  granularity: Granularity;
  filters: ClickFilter;
  /** Every valid (billable) click of the range, late ones included. */
  total: number;
  /** Invalid clicks of the range (not in `total`), in all and per reason. */
  invalid: number;
  invalidByReason: CountByReason;
  /** Of `total`, the clicks folded in after their window closed; absent under ip/userId filters (not known there). */
  late?: number;
  series: SeriesPoint[];
}

/** Clicks of one ad over a window, per bucket of the granularity, exact under any filter. */
@Injectable()
export class AdClicksQuery {
  private readonly cache: QueryCache<MinuteTotal[]>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ClickQueryRepository,
    private readonly metrics: ClickMetrics,
    @Inject(AD_DIRECTORY) private readonly ads: AdDirectory,
  ) {
    this.cache = new QueryCache(config.query.cacheMs, { maxBytes: config.query.cacheMaxBytes });
  }

  /** An advertiser sees only its own ads: another's answers exactly as an unknown one does. */
  async run(
    rawAdId: string | undefined,
    params: AdClicksParams,
    viewer: Viewer,
    now = Date.now(),
  ): Promise<AdClicksAnswer> {
    const adId = parseAdId(rawAdId);
    const range = resolveRange(params, now, this.config.query.maxWindowMs);
    const granularity = parseGranularity(params.granularity);
    const filters = parseFilter(params.filter ?? {});
    checkRawFilters(filters, viewer, range, this.config.query.rawMaxWindowMs, params.minutes ? 'minutes' : 'from');
    if (viewer.kind === 'advertiser' && (await this.ads.get(adId))?.advertiserId !== viewer.advertiserId) {
      throw new NotVisibleError('ad', adId);
    }
    // Per-minute totals are cached, so every granularity of one window shares them.
    const key = JSON.stringify([adId, range.from, range.to, filters]);
    const timer = this.metrics.querySeconds.startTimer({
      kind: 'ad_clicks',
      source: this.cache.fresh(key) ? 'cache' : 'questdb',
    });
    const minutes = await this.cache.get(key, () => this.repository.minuteTotals(adId, range.from, range.to, filters));
    timer();
    const series = fillSeries(range, GRANULARITY_MS[granularity], minutes, now);
    const answer: AdClicksAnswer = {
      adId,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      granularity,
      filters,
      total: series.reduce((sum, p) => sum + p.clicks, 0),
      ...invalidOfSeries(series),
      series,
    };
    if (series.every((p) => p.late !== undefined)) answer.late = series.reduce((sum, p) => sum + (p.late ?? 0), 0);
    return answer;
  }
}
