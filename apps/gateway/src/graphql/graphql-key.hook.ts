import { HttpException } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Admission } from '@clicks/accounts';
import { RateLimitedError } from '@clicks/limits';

/**
 * /graphql is served by Mercurius, outside Nest's guards: the same key check runs as a Fastify hook, so a request
 * without a valid advertiser key or the admin token is answered 401 before any resolver runs, and resolvers find
 * the principal on the request.
 */
export function requireKeyForGraphql(app: NestFastifyApplication): void {
  const admission = app.get(Admission);
  const check = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/graphql')) return;

    try {
      req.principal = await admission.admit(req.headers.authorization, ['advertiser']);
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
