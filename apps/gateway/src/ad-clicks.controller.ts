import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdClicksQuery, GRANULARITIES, TopAdsQuery } from '@clicks/query';
import { AdClicksDoc, ParamErrorDoc, TopAdsDoc } from './openapi.docs';

type QueryString = Record<string, string | undefined>;

const windowQueries = () => [
  ApiQuery({ name: 'minutes', required: false, description: 'the M most recent minutes, the current one included' }),
  ApiQuery({ name: 'from', required: false, description: 'ISO-8601 with zone, inclusive, floored to the minute' }),
  ApiQuery({ name: 'to', required: false, description: 'ISO-8601 with zone, exclusive, floored to the minute' }),
  ApiQuery({ name: 'country', required: false, description: 'ISO-3166 alpha-2 (from the minute aggregates)' }),
  ApiQuery({ name: 'ip', required: false, description: 'IPv4 or IPv6 (from the raw archive)' }),
  ApiQuery({ name: 'userId', required: false, description: 'user id (from the raw archive)' }),
];

function applyAll(decorators: MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };
}

const filterOf = (q: QueryString) => ({ country: q.country, ip: q.ip, userId: q.userId });

@ApiTags('clicks')
@Controller('v1/ads')
export class AdClicksController {
  constructor(
    private readonly adClicks: AdClicksQuery,
    private readonly topAds: TopAdsQuery,
  ) {}

  @Get('top')
  @ApiOperation({ summary: 'The most clicked ads: clicks descending, then adId ascending' })
  @ApiQuery({ name: 'n', required: false, description: '1-1000, default 100' })
  @applyAll(windowQueries())
  @ApiOkResponse({ type: TopAdsDoc })
  @ApiBadRequestResponse({ type: ParamErrorDoc })
  top(@Query() q: QueryString) {
    return this.topAds.run({ n: q.n, minutes: q.minutes, from: q.from, to: q.to, filter: filterOf(q) });
  }

  @Get(':adId/clicks')
  @ApiOperation({ summary: 'Clicks of one ad per bucket; every bucket present, the open one partial' })
  @ApiParam({ name: 'adId', description: '1-64 characters of [A-Za-z0-9._-]' })
  @ApiQuery({ name: 'granularity', required: false, enum: GRANULARITIES, description: 'default 1m' })
  @applyAll(windowQueries())
  @ApiOkResponse({ type: AdClicksDoc })
  @ApiBadRequestResponse({ type: ParamErrorDoc })
  clicks(@Param('adId') adId: string, @Query() q: QueryString) {
    return this.adClicks.run(adId, {
      minutes: q.minutes,
      from: q.from,
      to: q.to,
      granularity: q.granularity,
      filter: filterOf(q),
    });
  }
}
