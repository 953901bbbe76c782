import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Admission } from '@clicks/accounts';
import { problemAnswerOf, sendProblem } from '@clicks/server';

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
      // A refusal is an HTTP answer like any other endpoint's (problem+json), not a GraphQL error.
      const answer = problemAnswerOf(e);
      if (!answer) throw e;
      sendProblem(reply, answer);
      return reply;
    }
  };
  // Nest's adapter types its own copy of fastify; the request and reply are the same objects.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, reply) => check(req as unknown as FastifyRequest, reply as unknown as FastifyReply));
}
