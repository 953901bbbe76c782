import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { AdTotal, ClickFilter, ClickQueryRepository } from '@clicks/store';
import { QueryCache } from './query-cache';
import { parseFilter, parseTopN, RawFilter } from './query-params';
import { RangeParams, resolveRange } from './time-range';

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

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ClickQueryRepository,
    private readonly metrics: ClickMetrics,
  ) {
    this.cache = new QueryCache(config.query.cacheMs);
  }

  async run(params: TopAdsParams, now = Date.now()): Promise<TopAdsAnswer> {
    const n = parseTopN(params.n);
    const range = resolveRange(params, now, this.config.query.maxWindowMs);
    const filters = parseFilter(params.filter ?? {});
    const key = JSON.stringify([range.from, range.to, n, filters]);
    const timer = this.metrics.querySeconds.startTimer({
      kind: 'top_ads',
      source: this.cache.fresh(key) ? 'cache' : 'questdb',
    });
    const ads = await this.cache.get(key, () => this.repository.topAds(range.from, range.to, n, filters));
    timer();
    return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), n, filters, ads };
  }
}
