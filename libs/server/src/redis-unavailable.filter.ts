import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { RateLimitedError } from '@clicks/limits';

/**
 * For endpoints whose state lives in Redis (the ads and accounts registries, the hot-ad table, the ip blocklist): a
 * write or read that fails for any reason but the caller's (an HttpException) means Redis could not answer, which
 * the caller retries (503 with Retry-After) rather than a 500.
 */
@Catch()
export class RedisUnavailableFilter implements ExceptionFilter {
  private readonly log = new Logger(RedisUnavailableFilter.name);

  catch(e: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (e instanceof HttpException) {
      if (e instanceof RateLimitedError) void reply.header('Retry-After', String(e.retryAfterSeconds));
      const body = e.getResponse();
      void reply
        .code(e.getStatus())
        .send(typeof body === 'string' ? { statusCode: e.getStatus(), message: body } : body);
      return;
    }
    this.log.warn(`Redis unavailable: ${e instanceof Error ? e.message : String(e)}`);
    void reply
      .code(503)
      .header('Retry-After', '1')
      .send({ statusCode: 503, error: 'unavailable', message: 'Redis did not answer; retry' });
  }
}
