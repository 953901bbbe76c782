import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { ClickIntakeService, EnqueueUnavailableError } from '@clicks/intake';

@Controller('v1/clicks')
export class ClicksController {
  constructor(private readonly intake: ClickIntakeService) {}

  /** 202 only once the click is in its shard stream; a duplicate is acknowledged and marked, never re-counted. */
  @Post()
  @HttpCode(202)
  async postClick(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    try {
      const r = await this.intake.accept(body);
      if (r.status === 'rejected') {
        throw new BadRequestException({
          error: 'invalid_click',
          field: r.error.field,
          message: `${r.error.field}: ${r.error.message}`,
        });
      }
      return { eventId: r.eventId, duplicate: r.status === 'duplicate' };
    } catch (e) {
      if (!(e instanceof EnqueueUnavailableError)) throw e;
      void reply.header('Retry-After', '1');
      throw new ServiceUnavailableException({ error: 'unavailable', message: e.message });
    }
  }
}
