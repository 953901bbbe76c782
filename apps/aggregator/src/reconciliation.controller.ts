import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { parseAdId, QueryParamError, RangeParams, resolveRange } from '@clicks/query';
import { ReconciliationService } from '@clicks/reconciliation';
import { AdminTokenGuard, fieldProblem } from '@clicks/server';

/** The longest range one request reconciles (its late-record scan reads every shard's late stream). */
const MAX_RANGE_MS = 24 * 60 * 60_000;

interface ReconcileQuery extends RangeParams {
  adId?: string;
}

@Controller('v1/admin/reconciliation')
@UseGuards(AdminTokenGuard)
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  /**
   * `minutes=M` or `from`/`to` (ISO-8601), optionally `adId`: per minute, archived clicks against counted + late
   * ones, with a verdict (match, mismatch, pending, unverifiable).
   */
  @Get()
  async reconcile(@Query() query: ReconcileQuery) {
    try {
      const range = resolveRange(query, Date.now(), MAX_RANGE_MS);
      const adId = query.adId === undefined ? undefined : parseAdId(query.adId);
      return await this.reconciliation.reconcile(range, adId);
    } catch (e) {
      if (e instanceof QueryParamError) throw fieldProblem('invalid-parameter', e.param, e.message);
      throw e;
    }
  }
}
