export { AdClicksAnswer, AdClicksParams, AdClicksQuery } from './ad-clicks.query';
export {
  DEFAULT_TOP_N,
  Granularity,
  GRANULARITIES,
  GRANULARITY_MS,
  MAX_TOP_N,
  parseAdId,
  parseFilter,
  parseGranularity,
  parseTopN,
  RawFilter,
} from './query-params';
export { QueryCache } from './query-cache';
export { TopAdsAnswer, TopAdsParams, TopAdsQuery } from './top-ads.query';
export { TopListWarmer } from './top-list-warmer';
export { fillSeries, QueryParamError, RangeParams, resolveRange, SeriesPoint, TimeRange } from './time-range';
export { RollupAnswer, RollupKind, RollupParams, RollupQuery } from './rollup.query';
export { AD_DIRECTORY, AdDirectory, ADMIN_VIEWER, NotVisibleError, QueryForbiddenError, Viewer } from './viewer';
export { FixedAdDirectory } from './fixed-ad-directory';
export { AdScopeKind } from './ad-scope';
export { CountryBreakdownAnswer, CountryBreakdownQuery } from './country-breakdown.query';
