import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { GqlContextType } from '@nestjs/graphql';
import { FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import { NotVisibleError, QueryForbiddenError, QueryParamError } from '@clicks/query';
import { QueryTimeoutError, QuestDbUnavailableError } from '@clicks/store';

type QueryError = QueryParamError | QueryForbiddenError | NotVisibleError | QueryTimeoutError | QuestDbUnavailableError;

interface Answer {
  status: number;
  /** The GraphQL error code of the same answer. */
  code: string;
  body: Record<string, unknown>;
}

function answerOf(e: QueryError): Answer {
  if (e instanceof QueryParamError) {
    return { status: 400, code: 'BAD_USER_INPUT', body: { error: 'invalid_parameter', param: e.param } };
  }
  if (e instanceof QueryForbiddenError) {
    return { status: 403, code: 'FORBIDDEN', body: { error: 'forbidden_filter', param: e.param } };
  }
  if (e instanceof NotVisibleError) {
    return { status: 404, code: 'NOT_FOUND', body: { error: `unknown_${e.kind}`, [`${e.kind}Id`]: e.id } };
  }
  if (e instanceof QuestDbUnavailableError) {
    return { status: 503, code: 'UNAVAILABLE', body: { error: 'questdb_unavailable' } };
  }
  return { status: 504, code: 'TIMEOUT', body: { error: 'query_timeout', timeoutMs: e.timeoutMs } };
}

/**
 * The query layer's typed errors as answers: 400 naming a bad parameter, 403 for a filter the key may not use, 404 for
 * an unknown (or another advertiser's) ad, advertiser or campaign, 503 when QuestDB cannot be reached (with
 * Retry-After), 504 when QuestDB gave up at the statement timeout.
 */
@Catch(QueryParamError, QueryForbiddenError, NotVisibleError, QueryTimeoutError, QuestDbUnavailableError)
export class QueryErrorFilter implements ExceptionFilter {
  catch(e: QueryError, host: ArgumentsHost): GraphQLError | void {
    const { status, code, body } = answerOf(e);
    if (host.getType<GqlContextType>() === 'graphql') {
      return new GraphQLError(e.message, { extensions: { code, ...body } });
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (status === 503) void reply.header('Retry-After', '1');
    void reply.status(status).send({ statusCode: status, ...body, message: e.message });
  }
}
