import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { ClickQueryRepository, CountryTotal } from '@clicks/store';
import { adsInScope, AdScopeKind } from './ad-scope';
import { AdSetReader } from './ad-set';
import { QueryCache } from './query-cache';
import { parseAdId } from './query-params';
import { RangeParams, resolveRange } from './time-range';
import { AD_DIRECTORY, AdDirectory, Viewer } from './viewer';

export interface CountryBreakdownAnswer {
  scope: AdScopeKind;
  id: string;
  from: string;
  to: string;
  /** Valid clicks of the range over every country (the `total` of the same range's clicks answer). */
  total: number;
  invalid: number;
  /** Valid clicks descending, then country ascending; countries with no click of either kind absent. */
  countries: CountryTotal[];
}

/** Clicks per country of one ad, an advertiser's ads or a campaign's, over a window (the minute aggregates). */
@Injectable()
export class CountryBreakdownQuery {
  private readonly cache: QueryCache<CountryTotal[]>;
  private readonly adSets: AdSetReader;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    repository: ClickQueryRepository,
    private readonly metrics: ClickMetrics,
    @Inject(AD_DIRECTORY) private readonly ads: AdDirectory,
  ) {
    this.cache = new QueryCache(config.query.cacheMs, { maxBytes: config.query.cacheMaxBytes });
    this.adSets = new AdSetReader(repository);
  }

  async run(
    scope: AdScopeKind,
    rawId: string | undefined,
    params: RangeParams,
    viewer: Viewer,
    now = Date.now(),
  ): Promise<CountryBreakdownAnswer> {
    const id = parseAdId(rawId, `${scope}Id`);
    const range = resolveRange(params, now, this.config.query.maxWindowMs);
    const adIds = await adsInScope(this.ads, scope, id, viewer);
    const key = JSON.stringify([scope, id, viewer.kind === 'admin' ? '' : viewer.advertiserId, range]);
    const timer = this.metrics.querySeconds.startTimer({ kind: 'country_breakdown', source: 'questdb' });
    const countries = await this.cache.get(key, () => this.adSets.countryTotals(adIds, range.from, range.to));
    timer();
    return {
      scope,
      id,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      total: countries.reduce((sum, c) => sum + c.clicks, 0),
      invalid: countries.reduce((sum, c) => sum + c.invalid, 0),
      countries,
    };
  }
}
