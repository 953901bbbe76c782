export { RateLimitedError, RateLimits, RateScope } from './rate-limits';
