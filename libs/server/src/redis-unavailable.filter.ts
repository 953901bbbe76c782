import { Catch } from '@nestjs/common';
import { problem, ProblemError } from './problem';
import { ProblemFilter } from './problem.filter';

/**
 * For endpoints whose state lives in Redis (the ads and accounts registries, the hot-ad table, the ip blocklist): a
 * write or read that fails for any reason but the caller's (a known problem) means Redis could not answer, which
 * the caller retries (503 with Retry-After) rather than a 500.
 */
@Catch()
export class RedisUnavailableFilter extends ProblemFilter {
  constructor() {
    super();
  }

  protected override unexpected(e: unknown): ProblemError {
    this.log.warn(`Redis unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return problem('unavailable', 'Redis did not answer; retry', { headers: { 'retry-after': '1' } });
  }
}
