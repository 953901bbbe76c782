import { applyDecorators, Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ApiKeyGuard, RequireKey } from '@clicks/accounts';
import { CountryBreakdownQuery, RangeParams } from '@clicks/query';
import { ApiQueryProblems, ApiRangeQueries, CountryBreakdownDoc } from './openapi.docs';
import { viewerOf } from './viewer-of';

type QueryString = Record<string, string | undefined>;

const rangeOf = (q: QueryString): RangeParams => ({ minutes: q.minutes, from: q.from, to: q.to });

const breakdownDocs = () =>
  applyDecorators(ApiRangeQueries(), ApiOkResponse({ type: CountryBreakdownDoc }), ApiQueryProblems());

/** Clicks per country over a window, for one ad, an advertiser's ads or a campaign's (an advertiser: its own). */
@ApiTags('clicks')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(ApiKeyGuard)
@RequireKey('advertiser')
export class CountryBreakdownController {
  constructor(private readonly breakdown: CountryBreakdownQuery) {}

  @Get('ads/:adId/countries')
  @ApiOperation({ summary: "One ad's clicks per country" })
  @breakdownDocs()
  ad(@Param('adId') id: string, @Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.breakdown.run('ad', id, rangeOf(q), viewerOf(req));
  }

  @Get('advertisers/:advertiserId/countries')
  @ApiOperation({ summary: "The advertiser's clicks per country" })
  @breakdownDocs()
  advertiser(@Param('advertiserId') id: string, @Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.breakdown.run('advertiser', id, rangeOf(q), viewerOf(req));
  }

  @Get('campaigns/:campaignId/countries')
  @ApiOperation({ summary: "The campaign's clicks per country (an advertiser: its own ads in it)" })
  @breakdownDocs()
  campaign(@Param('campaignId') id: string, @Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.breakdown.run('campaign', id, rangeOf(q), viewerOf(req));
  }
}
