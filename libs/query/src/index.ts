export { AdClicksAnswer, AdClicksQuery } from './ad-clicks.query';
export { fillSeries, QueryParamError, RangeParams, resolveRange, TimeRange } from './time-range';
