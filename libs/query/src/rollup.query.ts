import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { CountByReason } from '@clicks/fraud';
import { ClickMetrics } from '@clicks/metrics';
import { ClickFilter, ClickQueryRepository, MinuteTotal } from '@clicks/store';
import { AdSetReader } from './ad-set';
import { QueryCache } from './query-cache';
import { Granularity, GRANULARITY_MS, parseAdId, parseFilter, parseGranularity } from './query-params';
import { fillSeries, invalidOfSeries, QueryParamError, RangeParams, resolveRange, SeriesPoint } from './time-range';
import { adsInScope } from './ad-scope';
import { AD_DIRECTORY, AdDirectory, Viewer } from './viewer';

export type RollupKind = 'advertiser' | 'campaign';

export interface RollupParams extends RangeParams {
  granularity?: string | null;
  country?: string | null;
  /** Raw-archive filters are not offered on rollups; given, they are refused by name. */
  ip?: string | null;
  userId?: string | null;
}

export interface RollupAnswer {
  advertiserId?: string;
  campaignId?: string;
  from: string;
  to: string;
  granularity: Granularity;
  filters: ClickFilter;
  /** How many registered ads the numbers sum over. */
  ads: number;
  total: number;
  late: number;
  /** Invalid clicks of the range (not in `total`), in all and per reason. */
  invalid: number;
  invalidByReason: CountByReason;
  series: SeriesPoint[];
}

/**
 * Clicks of an advertiser's or a campaign's ads together, per bucket: the same shape as one ad's clicks. An advertiser
 * sees only its own: another advertiser answers 404, and a campaign only sums the caller's ads in it.
 */
@Injectable()
export class RollupQuery {
  private readonly cache: QueryCache<MinuteTotal[]>;
  private readonly adSets: AdSetReader;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ClickMetrics,
    @Inject(AD_DIRECTORY) private readonly ads: AdDirectory,
    repository: ClickQueryRepository,
  ) {
    this.cache = new QueryCache(config.query.cacheMs, { maxBytes: config.query.cacheMaxBytes });
    this.adSets = new AdSetReader(repository);
  }

  async run(kind: RollupKind, rawId: string | undefined, params: RollupParams, viewer: Viewer, now = Date.now()) {
    const id = parseAdId(rawId, `${kind}Id`);
    for (const raw of ['ip', 'userId'] as const) {
      if (params[raw]) throw new QueryParamError(raw, `not offered on ${kind} rollups (only country)`);
    }
    const range = resolveRange(params, now, this.config.query.maxWindowMs);
    const granularity = parseGranularity(params.granularity);
    const filters = parseFilter({ country: params.country });
    const adIds = await adsInScope(this.ads, kind, id, viewer);
    const key = JSON.stringify([kind, id, viewer.kind === 'admin' ? '' : viewer.advertiserId, range, filters]);
    const timer = this.metrics.querySeconds.startTimer({ kind: `${kind}_clicks`, source: 'ad_set' });
    const minutes = await this.cache.get(key, () =>
      this.adSets.minuteTotals(adIds, range.from, range.to, filters.country),
    );
    timer();
    const series = fillSeries(range, GRANULARITY_MS[granularity], minutes, now);
    const answer: RollupAnswer = {
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      granularity,
      filters,
      ads: adIds.length,
      total: series.reduce((sum, p) => sum + p.clicks, 0),
      late: series.reduce((sum, p) => sum + (p.late ?? 0), 0),
      ...invalidOfSeries(series),
      series,
    };
    return kind === 'advertiser' ? { advertiserId: id, ...answer } : { campaignId: id, ...answer };
  }
}
