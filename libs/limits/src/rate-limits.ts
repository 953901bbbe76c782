import { HttpException, Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClickMetrics } from '@clicks/metrics';
import { ClicksRedis, REDIS } from '@clicks/stream';
import { ConsumeBatcher } from './consume-batch';

/** What is limited: events a partner key sends, queries an advertiser key asks, requests of one browser's ip. */
export type RateScope = 'partner_events' | 'advertiser_queries' | 'client_ip';

/**
 * A 429 that says which limit was hit and when to come back; answered by @clicks/server's ProblemFilter as a
 * `rate-limited` problem with `Retry-After`.
 */
export class RateLimitedError extends HttpException {
  constructor(
    readonly scope: RateScope,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super({ error: 'rate_limited', limit: scope, retryAfterSeconds, message }, 429);
  }
}

const MESSAGES: Record<RateScope, (limit: number) => string> = {
  partner_events: (l) => `this partner key may send at most ${l} clicks per second`,
  advertiser_queries: (l) => `this advertiser key may ask at most ${l} queries per second`,
  client_ip: (l) => `at most ${l} requests per second from one client address`,
};

/**
 * Per-second limits shared by every replica: counters in Redis (rate-limiter-flexible), with a per-process memory
 * limiter standing in while Redis is away. Checked before anything is stored, so a 429 never drops a stored click.
 * The requests of one key in one event-loop turn share one Redis call (ConsumeBatcher), with the answers separate
 * calls would give.
 */
@Injectable()
export class RateLimits {
  private readonly limiters = new Map<RateScope, { batcher: ConsumeBatcher; points: number }>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) redis: ClicksRedis,
    private readonly metrics: ClickMetrics,
  ) {
    const { partnerEventsPerSecond, advertiserQueriesPerSecond, clientIpRequestsPerSecond } = config.rateLimits;
    const limits: [RateScope, number][] = [
      ['partner_events', partnerEventsPerSecond],
      ['advertiser_queries', advertiserQueriesPerSecond],
      ['client_ip', clientIpRequestsPerSecond],
    ];
    for (const [scope, points] of limits) {
      if (points <= 0) continue;
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `clicks:rl:${scope}`,
        points,
        duration: 1,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: 1 }),
      });
      const call = (key: string, cost: number) =>
        limiter.consume(key, cost).catch((e: unknown) => {
          // A refusal is an answer (the count after adding `cost`), not a failure.
          if (e instanceof RateLimiterRes) return e;
          throw e;
        });
      this.limiters.set(scope, { batcher: new ConsumeBatcher(points, call), points });
    }
  }

  /** Takes `cost` from `key`'s budget in `scope`; throws RateLimitedError (429) when it is spent. */
  async consume(scope: RateScope, key: string, cost = 1): Promise<void> {
    const entry = this.limiters.get(scope);
    if (!entry || cost <= 0) return;
    const { admitted, msBeforeNext } = await entry.batcher.consume(key, cost);
    if (admitted) return;
    this.metrics.rateLimited.inc({ scope });
    throw new RateLimitedError(scope, Math.max(1, Math.ceil(msBeforeNext / 1000)), MESSAGES[scope](entry.points));
  }
}
