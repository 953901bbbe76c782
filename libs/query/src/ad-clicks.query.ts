import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickQueryRepository } from '@clicks/store';
import { fillSeries, QueryParamError, RangeParams, resolveRange, SeriesPoint } from './time-range';

export interface AdClicksAnswer {
  adId: string;
  from: string;
  to: string;
  granularity: '1m';
  total: number;
  series: SeriesPoint[];
}

const AD_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Clicks of one ad over a window, per minute. */
@Injectable()
export class AdClicksQuery {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ClickQueryRepository,
  ) {}

  async run(adId: string, params: RangeParams, now = Date.now()): Promise<AdClicksAnswer> {
    if (!AD_ID.test(adId)) throw new QueryParamError('adId', '1-64 characters of [A-Za-z0-9._-]');
    const range = resolveRange(params, now, this.config.query.maxWindowMs);
    const series = fillSeries(range, await this.repository.minuteTotals(adId, range.from, range.to));
    return {
      adId,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      granularity: '1m',
      total: series.reduce((sum, p) => sum + p.clicks, 0),
      series,
    };
  }
}
