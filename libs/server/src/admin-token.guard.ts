import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { fieldProblem, problem } from './problem';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Admin endpoints: `Authorization: Bearer <ADMIN_TOKEN>`; 401 without a token, 403 with a wrong one. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.admin.token;
    if (!expected) throw problem('unavailable', 'admin endpoints are disabled: ADMIN_TOKEN is not set');
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw fieldProblem('unauthorized', 'Authorization', 'admin bearer token required');
    if (!sameSecret(match[1], expected)) throw fieldProblem('forbidden', 'Authorization', 'wrong admin token');
    return true;
  }
}
