import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { ClickQueryRepository, CountryTotal } from '@clicks/store';
import { adsInScope, AdScopeKind } from './ad-scope';
import { chunksOf } from './ad-set';
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

/** Chunks of an ad set read at once: the same bound as the rollups'. */
const CHUNKS_AT_ONCE = 3;

/** Sums per-country totals of several chunks; valid clicks descending, then country ascending. */
export function mergeCountryTotals(parts: readonly CountryTotal[][]): CountryTotal[] {
  const byCountry = new Map<string, CountryTotal>();
  for (const part of parts) {
    for (const t of part) {
      const sum = byCountry.get(t.country) ?? { country: t.country, clicks: 0, invalid: 0 };
      sum.clicks += t.clicks;
      sum.invalid += t.invalid;
      byCountry.set(t.country, sum);
    }
  }
  return [...byCountry.values()].sort(
    (a, b) => b.clicks - a.clicks || (a.country < b.country ? -1 : a.country > b.country ? 1 : 0),
  );
}

/** Clicks per country of one ad, an advertiser's ads or a campaign's, over a window (the minute aggregates). */
@Injectable()
export class CountryBreakdownQuery {
  private readonly cache: QueryCache<CountryTotal[]>;
  private readonly limit = pLimit(CHUNKS_AT_ONCE);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: ClickQueryRepository,
    private readonly metrics: ClickMetrics,
    @Inject(AD_DIRECTORY) private readonly ads: AdDirectory,
  ) {
    this.cache = new QueryCache(config.query.cacheMs, { maxBytes: config.query.cacheMaxBytes });
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
    const countries = await this.cache.get(key, async () =>
      mergeCountryTotals(
        await Promise.all(
          chunksOf(adIds).map((c) => this.limit(() => this.repository.countryTotals(c, range.from, range.to))),
        ),
      ),
    );
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
