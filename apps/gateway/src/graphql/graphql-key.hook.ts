import { HttpException } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { authorize, KeyVerifier } from '@clicks/accounts';
import { RateLimitedError, RateLimits } from '@clicks/limits';
import { ClickMetrics } from '@clicks/metrics';

/**
 * /graphql is served by Mercurius, outside Nest's guards: the same key check runs as a Fastify hook, so a request
 * without a valid advertiser key or the admin token is answered 401 before any resolver runs, and resolvers find
 * the principal on the request.
 */
export function requireKeyForGraphql(app: NestFastifyApplication): void {
  const keys = app.get(KeyVerifier);
  const limits = app.get(RateLimits);
  const metrics = app.get(ClickMetrics);
  const check = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/graphql')) return;

    try {
      req.principal = await authorize(keys, metrics, req.headers.authorization, ['advertiser']);
      if (req.principal.kind === 'advertiser') await limits.consume('advertiser_queries', req.principal.keyId);
    } catch (e) {
      if (!(e instanceof HttpException)) throw e;
      if (e instanceof RateLimitedError) void reply.header('retry-after', String(e.retryAfterSeconds));
      const body = e.getResponse();
      return reply.code(e.getStatus()).send(typeof body === 'object' ? { statusCode: e.getStatus(), ...body } : body);
    }
  };
  // Nest's adapter types its own copy of fastify; the request and reply are the same objects.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, reply) => check(req as unknown as FastifyRequest, reply as unknown as FastifyReply));
}
