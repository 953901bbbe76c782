import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { RateLimitedError } from './rate-limits';

/** Answers a RateLimitedError as 429 with `Retry-After`. */
@Catch(RateLimitedError)
export class RateLimitedFilter implements ExceptionFilter {
  catch(error: RateLimitedError, host: ArgumentsHost): void {
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .code(429)
      .header('retry-after', String(error.retryAfterSeconds))
      .send(error.getResponse());
  }
}
