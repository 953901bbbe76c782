import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { KeyKind } from './api-key';
import { Admission } from './admission';
import { Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls, set by ApiKeyGuard (or the GraphQL hook) before any handler runs. */
    principal?: Principal;
  }
}

const REQUIRED_KINDS = 'clicks:required-key-kinds';

/** The key kinds (besides the admin token, always accepted) a controller or handler needs. */
export const RequireKey = (...kinds: KeyKind[]) => SetMetadata(REQUIRED_KINDS, kinds);

/**
 * Admits a request only with the admin token or a live key of a kind its handler requires (@RequireKey), and
 * records the principal on the request. An advertiser key also spends one query of its per-second budget.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly admission: Admission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const kinds = this.reflector.getAllAndOverride<KeyKind[] | undefined>(REQUIRED_KINDS, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.principal = await this.admission.admit(request.headers.authorization, kinds ?? []);
    return true;
  }
}
