import { BadRequestException, Body, Controller, HttpCode, HttpException, Post, Req, UseFilters } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { BATCH_LIMITS, ClickIntakeService, parseBatchBody } from '@clicks/intake';
import { IntakeErrorFilter } from './intake-error.filter';

@Controller('v1/clicks')
@UseFilters(IntakeErrorFilter)
export class ClicksController {
  constructor(private readonly intake: ClickIntakeService) {}

  /** 202 only once the click is in its shard stream; a duplicate is acknowledged and marked, never re-counted. */
  @Post()
  @HttpCode(202)
  async postClick(@Body() body: unknown) {
    const r = await this.intake.accept(body);
    if (r.status === 'rejected') {
      throw new BadRequestException({
        error: 'invalid_click',
        field: r.error.field,
        message: `${r.error.field}: ${r.error.message}`,
      });
    }
    return { eventId: r.eventId, duplicate: r.status === 'duplicate' };
  }

  /**
   * A JSON array or NDJSON of clicks, each validated on its own: valid ones are stored even when others are
   * rejected. 202 once every valid one is stored; 503 if any could not be (re-send: stored ones become duplicates).
   */
  @Post('batch')
  @HttpCode(202)
  async postBatch(@Body() body: unknown, @Req() req: FastifyRequest) {
    if (Number(req.headers['content-length'] ?? 0) > BATCH_LIMITS.maxBytes) {
      throw new HttpException({ error: 'batch_too_large', message: 'a batch holds at most 5 MiB' }, 413);
    }
    const ndjson = (req.headers['content-type'] ?? '').startsWith('application/x-ndjson');
    const parsed = parseBatchBody(body, ndjson);
    if (!parsed.ok) {
      const error = parsed.status === 413 ? 'batch_too_large' : 'invalid_batch';
      throw new HttpException({ error, field: 'body', message: parsed.message }, parsed.status);
    }
    return this.intake.acceptMany(parsed.items);
  }
}
