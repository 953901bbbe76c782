import {
  CanActivate,
  ExecutionContext,
  HttpException,
  Injectable,
  ServiceUnavailableException,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ClickMetrics } from '@clicks/metrics';
import { RateLimits } from '@clicks/limits';
import { KeyKind } from './api-key';
import { KeyVerifier } from './key-verifier';
import { AuthError, Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls, set by ApiKeyGuard (or the GraphQL hook) before any handler runs. */
    principal?: Principal;
  }
}

const REQUIRED_KINDS = 'clicks:required-key-kinds';

/** The key kinds (besides the admin token, always accepted) a controller or handler needs. */
export const RequireKey = (...kinds: KeyKind[]) => SetMetadata(REQUIRED_KINDS, kinds);

/** An AuthError as the HTTP answer: 401/403 with a body naming what was wrong (never the key). */
export function authHttpError(e: AuthError): HttpException {
  return new HttpException({ error: e.code, field: 'Authorization', message: e.message }, e.status);
}

/**
 * Admits a request only with the admin token or a live key of a kind its handler requires (@RequireKey), and
 * records the principal on the request. An advertiser key also spends one query of its per-second budget.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: KeyVerifier,
    private readonly limits: RateLimits,
    private readonly metrics: ClickMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kinds = this.reflector.getAllAndOverride<KeyKind[] | undefined>(REQUIRED_KINDS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.principal = await authorize(this.keys, this.metrics, request.headers.authorization, kinds ?? []);
    if (request.principal.kind === 'advertiser') {
      await this.limits.consume('advertiser_queries', request.principal.keyId);
    }
    return true;
  }
}

/** Authenticates, counting a refusal in metrics, and turns it into the HTTP answer. */
export async function authorize(
  keys: KeyVerifier,
  metrics: ClickMetrics,
  header: string | undefined,
  kinds: readonly KeyKind[],
): Promise<Principal> {
  try {
    return await keys.authenticate(header, kinds);
  } catch (e) {
    if (!(e instanceof AuthError)) {
      // A key not cached while Redis is away cannot be checked: the caller retries, as after any 503.
      throw new ServiceUnavailableException({ error: 'auth_unavailable', message: 'the key cannot be checked now' });
    }
    metrics.authFailures.inc({ code: e.code });
    throw authHttpError(e);
  }
}
