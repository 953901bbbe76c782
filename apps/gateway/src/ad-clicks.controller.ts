import { applyDecorators, Controller, Get, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ApiKeyGuard, RequireKey } from '@clicks/accounts';
import { AdClicksQuery, GRANULARITIES, RollupQuery, TopAdsQuery } from '@clicks/query';
import { AdClicksDoc, ApiQueryProblems, ApiRangeQueries, RollupDoc, TopAdsDoc } from './openapi.docs';
import { viewerOf } from './viewer-of';

type QueryString = Record<string, string | undefined>;

const windowQueries = () =>
  applyDecorators(
    ApiRangeQueries(),
    ApiQuery({ name: 'country', required: false, description: 'ISO-3166 alpha-2 (from the minute aggregates)' }),
    ApiQuery({ name: 'ip', required: false, description: 'IPv4 or IPv6 (raw archive; admin token, at most 24 h)' }),
    ApiQuery({ name: 'userId', required: false, description: 'user id (raw archive; admin token, at most 24 h)' }),
  );

const rollupQueries = () =>
  applyDecorators(
    ApiRangeQueries(),
    ApiQuery({ name: 'country', required: false, description: 'ISO-3166 alpha-2' }),
    ApiQuery({ name: 'granularity', required: false, enum: GRANULARITIES, description: 'default 1m' }),
  );

const filterOf = (q: QueryString) => ({ country: q.country, ip: q.ip, userId: q.userId });

/** Advertisers read their own numbers with their key; the admin token reads everyone's. */
@ApiTags('clicks')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(ApiKeyGuard)
@RequireKey('advertiser')
export class AdClicksController {
  constructor(
    private readonly adClicks: AdClicksQuery,
    private readonly topAds: TopAdsQuery,
    private readonly rollups: RollupQuery,
  ) {}

  @Get('ads/top')
  @ApiOperation({ summary: 'The most clicked ads: clicks descending, then adId ascending' })
  @ApiQuery({ name: 'n', required: false, description: '1-1000, default 100' })
  @windowQueries()
  @ApiOkResponse({ type: TopAdsDoc })
  @ApiQueryProblems()
  top(@Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.topAds.run({ n: q.n, minutes: q.minutes, from: q.from, to: q.to, filter: filterOf(q) }, viewerOf(req));
  }

  @Get('ads/:adId/clicks')
  @ApiOperation({ summary: 'Clicks of one ad per bucket; every bucket present, the open one partial' })
  @ApiParam({ name: 'adId', description: '1-64 characters of [A-Za-z0-9._-]' })
  @ApiQuery({ name: 'granularity', required: false, enum: GRANULARITIES, description: 'default 1m' })
  @windowQueries()
  @ApiOkResponse({ type: AdClicksDoc })
  @ApiQueryProblems()
  clicks(@Param('adId') adId: string, @Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.adClicks.run(
      adId,
      { minutes: q.minutes, from: q.from, to: q.to, granularity: q.granularity, filter: filterOf(q) },
      viewerOf(req),
    );
  }

  @Get('advertisers/:advertiserId/clicks')
  @ApiOperation({ summary: "Clicks of all the advertiser's ads together per bucket (an advertiser: its own only)" })
  @rollupQueries()
  @ApiOkResponse({ type: RollupDoc })
  @ApiQueryProblems()
  advertiserClicks(@Param('advertiserId') id: string, @Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.rollups.run('advertiser', id, q, viewerOf(req));
  }

  @Get('campaigns/:campaignId/clicks')
  @ApiOperation({ summary: "Clicks of the campaign's ads together per bucket (an advertiser: its own ads in it)" })
  @rollupQueries()
  @ApiOkResponse({ type: RollupDoc })
  @ApiQueryProblems()
  campaignClicks(@Param('campaignId') id: string, @Query() q: QueryString, @Req() req: FastifyRequest) {
    return this.rollups.run('campaign', id, q, viewerOf(req));
  }
}
