import { Injectable } from '@nestjs/common';
import { RateLimits } from '@clicks/limits';
import { ClickMetrics } from '@clicks/metrics';
import { fieldProblem, problem, ProblemError } from '@clicks/server';
import { KeyKind } from './api-key';
import { KeyVerifier } from './key-verifier';
import { AuthError, Principal } from './principal';

/** An AuthError as the HTTP answer: 401/403 naming the Authorization header and what was wrong (never the key). */
function authProblem(e: AuthError): ProblemError {
  return fieldProblem(e.status === 401 ? 'unauthorized' : 'forbidden', 'Authorization', e.message);
}

/**
 * The one check of ApiKeyGuard and of the GraphQL hook: the principal behind an `Authorization` header if it may call
 * an endpoint needing `kinds`, refusals counted in metrics and answered as HTTP errors, and an advertiser key's query
 * taken from its per-second budget.
 */
@Injectable()
export class Admission {
  constructor(
    private readonly keys: KeyVerifier,
    private readonly limits: RateLimits,
    private readonly metrics: ClickMetrics,
  ) {}

  async admit(header: string | undefined, kinds: readonly KeyKind[]): Promise<Principal> {
    const principal = await this.authenticate(header, kinds);
    if (principal.kind === 'advertiser') await this.limits.consume('advertiser_queries', principal.keyId);
    return principal;
  }

  private async authenticate(header: string | undefined, kinds: readonly KeyKind[]): Promise<Principal> {
    try {
      return await this.keys.authenticate(header, kinds);
    } catch (e) {
      if (!(e instanceof AuthError)) {
        // A key not cached while Redis is away cannot be checked: the caller retries, as after any 503.
        throw problem('unavailable', 'the key cannot be checked now; retry', { headers: { 'retry-after': '1' } });
      }
      this.metrics.authFailures.inc({ code: e.code });
      throw authProblem(e);
    }
  }
}
