export { RateLimitedFilter } from './rate-limited.filter';
export { RateLimitedError, RateLimits, RateScope } from './rate-limits';
