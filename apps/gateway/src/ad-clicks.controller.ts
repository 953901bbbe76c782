import { Controller, Get, Param, Query } from '@nestjs/common';
import { AdClicksQuery, RangeParams } from '@clicks/query';

@Controller('v1/ads')
export class AdClicksController {
  constructor(private readonly adClicks: AdClicksQuery) {}

  /** `minutes=M` or `from`/`to` (ISO-8601; from inclusive, to exclusive, floored to the minute). */
  @Get(':adId/clicks')
  clicks(@Param('adId') adId: string, @Query() query: Record<string, string | undefined>) {
    const params: RangeParams = { minutes: query.minutes, from: query.from, to: query.to };
    return this.adClicks.run(adId, params);
  }
}
