import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { EnqueueUnavailableError, InvalidClickTokenError, UnknownAdError } from '@clicks/intake';

/** Maps the intake's typed errors onto HTTP answers; everything else goes to Nest's default handling. */
@Catch(EnqueueUnavailableError, InvalidClickTokenError, UnknownAdError)
export class IntakeErrorFilter implements ExceptionFilter {
  catch(e: EnqueueUnavailableError | InvalidClickTokenError | UnknownAdError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (e instanceof EnqueueUnavailableError) {
      void reply
        .code(HttpStatus.SERVICE_UNAVAILABLE)
        .header('Retry-After', '1')
        .send({ statusCode: 503, error: 'unavailable', message: e.message });
    } else if (e instanceof InvalidClickTokenError) {
      void reply
        .code(HttpStatus.BAD_REQUEST)
        .send({ statusCode: 400, error: 'invalid_token', param: 'token', reason: e.reason, message: e.message });
    } else {
      void reply
        .code(HttpStatus.NOT_FOUND)
        .send({ statusCode: 404, error: 'unknown_ad', adId: e.adId, message: e.message });
    }
  }
}
