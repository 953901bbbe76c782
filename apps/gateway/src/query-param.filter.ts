import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { GqlContextType } from '@nestjs/graphql';
import { FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import { QueryParamError } from '@clicks/query';

/** A bad query parameter is the caller's error: 400 naming the parameter, or a GraphQL BAD_USER_INPUT error. */
@Catch(QueryParamError)
export class QueryParamFilter implements ExceptionFilter {
  catch(e: QueryParamError, host: ArgumentsHost): GraphQLError | void {
    if (host.getType<GqlContextType>() === 'graphql') {
      return new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', param: e.param } });
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(400).send({ statusCode: 400, error: 'invalid_parameter', param: e.param, message: e.message });
  }
}
