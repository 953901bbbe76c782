import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseAdId, QueryParamError, RangeParams, resolveRange } from '@clicks/query';
import { ReconciliationService } from '@clicks/reconciliation';
import { AdminTokenGuard, ApiProblems, fieldProblem, problem } from '@clicks/server';
import { QuestDbUnavailableError } from '@clicks/store';
import { ADMIN_PROBLEMS, ReconciliationDoc } from './aggregator.docs';

/** The longest range one request reconciles (its late-record scan reads every shard's late stream). */
const MAX_RANGE_MS = 24 * 60 * 60_000;

interface ReconcileQuery extends RangeParams {
  adId?: string;
}

@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('v1/admin/reconciliation')
@UseGuards(AdminTokenGuard)
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  /**
   * `minutes=M` or `from`/`to` (ISO-8601), optionally `adId`: per minute, archived clicks against counted + late
   * ones, with a verdict (match, mismatch, pending, unverifiable).
   */
  @Get()
  @ApiOperation({ summary: 'Per minute, archived clicks against counted and late ones, with a verdict' })
  @ApiQuery({ name: 'minutes', required: false, description: 'the M most recent minutes, the current one included' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601 with zone, inclusive, floored to the minute' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601 with zone, exclusive, floored to the minute' })
  @ApiQuery({ name: 'adId', required: false, description: 'only this ad (default: every ad)' })
  @ApiOkResponse({ type: ReconciliationDoc })
  @ApiProblems(
    [400, 'a bad parameter (a range above 24 h among them), named in errors[].field'],
    ...ADMIN_PROBLEMS.slice(0, 2),
    [503, 'QuestDB could not be reached (Retry-After), or ADMIN_TOKEN is not set'],
  )
  async reconcile(@Query() query: ReconcileQuery) {
    try {
      const range = resolveRange(query, Date.now(), MAX_RANGE_MS);
      const adId = query.adId === undefined ? undefined : parseAdId(query.adId);
      return await this.reconciliation.reconcile(range, adId);
    } catch (e) {
      if (e instanceof QueryParamError) throw fieldProblem('invalid-parameter', e.param, e.message);
      if (e instanceof QuestDbUnavailableError) {
        throw problem('unavailable', e.message, { headers: { 'retry-after': '1' } });
      }
      throw e;
    }
  }
}
