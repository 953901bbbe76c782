import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { QueryParamError } from '@clicks/query';

/** A bad query parameter is the caller's error: 400, naming the parameter. */
@Catch(QueryParamError)
export class QueryParamFilter implements ExceptionFilter {
  catch(e: QueryParamError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(400).send({ statusCode: 400, error: 'invalid_parameter', param: e.param, message: e.message });
  }
}
