import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ApiKeyGuard, partnerOf, RequireKey } from '@clicks/accounts';
import { BATCH_LIMITS, ClickIntakeService, parseBatchBody } from '@clicks/intake';
import { RateLimits } from '@clicks/limits';
import { ApiProblems, fieldProblem } from '@clicks/server';
import { BatchResultDoc, ClickAcceptedDoc, KEY_PROBLEMS } from './ingest.docs';

const CLICK = { $ref: getSchemaPath('ClickInput') };
const SPENT: [number, string] = [429, "the key's per-second budget of events is spent (Retry-After)"];
const NOT_STORED: [number, string] = [503, 'Redis did not answer: nothing was stored, retry (Retry-After)'];

/** Clicks from partners' servers: a partner key (or the admin token) and the key's per-second budget of events. */
@ApiTags('clicks')
@ApiBearerAuth()
@Controller('v1/clicks')
@UseGuards(ApiKeyGuard)
@RequireKey('partner')
export class ClicksController {
  constructor(
    private readonly intake: ClickIntakeService,
    private readonly limits: RateLimits,
  ) {}

  private async spend(req: FastifyRequest, events: number): Promise<void> {
    if (req.principal?.kind === 'partner') await this.limits.consume('partner_events', req.principal.keyId, events);
  }

  /** 202 only once the click is in its shard stream; a duplicate is acknowledged and marked, never re-counted. */
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'One click from a partner server (a partner key); eventId makes a retry count once' })
  @ApiBody({ schema: CLICK })
  @ApiAcceptedResponse({ type: ClickAcceptedDoc, description: 'the click is stored (or was before: duplicate)' })
  @ApiProblems([400, 'an invalid field, named in errors[].field'], ...KEY_PROBLEMS, SPENT, NOT_STORED)
  async postClick(@Body() body: unknown, @Req() req: FastifyRequest) {
    await this.spend(req, 1);
    const r = await this.intake.accept(body, partnerOf(req.principal));
    if (r.status === 'rejected') {
      throw fieldProblem('invalid-body', r.error.field, r.error.message);
    }
    return { eventId: r.eventId, duplicate: r.status === 'duplicate' };
  }

  /**
   * A JSON array or NDJSON of clicks, each validated on its own: valid ones are stored even when others are
   * rejected. 202 once every valid one is stored; 503 if any could not be (re-send: stored ones become duplicates).
   */
  @Post('batch')
  @HttpCode(202)
  @ApiOperation({
    summary: `Up to ${BATCH_LIMITS.maxEvents} clicks (5 MiB), a JSON array or NDJSON; each event validated on its own`,
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { type: 'array', items: CLICK, maxItems: BATCH_LIMITS.maxEvents } },
        'application/x-ndjson': { schema: { type: 'string', description: 'one ClickInput per line' } },
      },
    },
  })
  @ApiAcceptedResponse({ type: BatchResultDoc, description: 'every valid event is stored; rejected ones are listed' })
  @ApiProblems(
    [400, 'a body that is neither a JSON array nor NDJSON'],
    ...KEY_PROBLEMS,
    [413, `more than ${BATCH_LIMITS.maxEvents} events or 5 MiB`],
    SPENT,
    [503, 'Redis did not answer: some events may not be stored, re-send the batch (stored ones become duplicates)'],
  )
  async postBatch(@Body() body: unknown, @Req() req: FastifyRequest) {
    if (Number(req.headers['content-length'] ?? 0) > BATCH_LIMITS.maxBytes) {
      throw fieldProblem('payload-too-large', 'body', 'a batch holds at most 5 MiB');
    }
    const ndjson = (req.headers['content-type'] ?? '').startsWith('application/x-ndjson');
    const parsed = parseBatchBody(body, ndjson);
    if (!parsed.ok) {
      throw fieldProblem(parsed.status === 413 ? 'payload-too-large' : 'invalid-body', 'body', parsed.message);
    }
    await this.spend(req, parsed.items.length);
    return this.intake.acceptMany(parsed.items, partnerOf(req.principal));
  }
}
