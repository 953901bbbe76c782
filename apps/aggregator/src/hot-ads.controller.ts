import { Body, Controller, Delete, Get, Param, Put, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { HotAdAdminService } from '@clicks/actor';
import { MAX_SALTS } from '@clicks/routing';
import { AdminTokenGuard, ApiProblems, fieldProblem, RedisUnavailableFilter } from '@clicks/server';
import { ADMIN_REDIS_PROBLEMS, HotAdCandidatesDoc, HotAdsDoc, SaltsDoc } from './aggregator.docs';
import { saltsBody } from './bodies';

const AD_ID = /^[A-Za-z0-9._-]{1,64}$/;

function adIdParam(adId: string): string {
  if (!AD_ID.test(adId)) throw fieldProblem('invalid-parameter', 'adId', '1-64 characters of [A-Za-z0-9._-]');
  return adId;
}

const AD_ID_PARAM = ApiParam({ name: 'adId', description: '1-64 characters of [A-Za-z0-9._-]' });

@ApiTags('hot-ads')
@ApiBearerAuth()
@ApiProblems(...ADMIN_REDIS_PROBLEMS)
@Controller('v1/admin/hot-ads')
@UseGuards(AdminTokenGuard)
@UseFilters(RedisUnavailableFilter)
export class HotAdsController {
  constructor(private readonly hotAds: HotAdAdminService) {}

  @Get()
  @ApiOperation({ summary: 'The salted ads: each routed over several sub-streams' })
  @ApiOkResponse({ type: HotAdsDoc })
  async list() {
    return { hotAds: await this.hotAds.list() };
  }

  /** Ads the actors saw above HOT_AD_THRESHOLD clicks/s in the last minute. */
  @Get('candidates')
  @ApiOperation({ summary: 'Ads the actors saw above HOT_AD_THRESHOLD clicks/s in the last minute' })
  @ApiOkResponse({ type: HotAdCandidatesDoc })
  async candidates() {
    return { candidates: await this.hotAds.candidates() };
  }

  /** `{"salts": k}`: the ad's events route by `adId#(hash(eventId) mod k)` from now on. */
  @Put(':adId')
  @ApiOperation({ summary: "Spreads an ad's events over k salts (sub-streams) from now on" })
  @AD_ID_PARAM
  @ApiBody({ schema: { $ref: getSchemaPath('SaltsInput') } })
  @ApiOkResponse({ type: SaltsDoc })
  @ApiProblems([400, 'an invalid adId or salts, named in errors[].field'])
  async salt(@Param('adId') adId: string, @Body() body: unknown) {
    const parsed = saltsBody.safeParse(body ?? {});
    if (!parsed.success) throw fieldProblem('invalid-body', 'salts', `an integer from 1 to ${MAX_SALTS}`);
    return { adId: adIdParam(adId), ...(await this.hotAds.setSalts(adId, parsed.data.salts)) };
  }

  @Delete(':adId')
  @ApiOperation({ summary: 'Un-salts an ad: its events route to one stream again (salts 1)' })
  @AD_ID_PARAM
  @ApiOkResponse({ type: SaltsDoc })
  @ApiProblems([400, 'an invalid adId'])
  async unsalt(@Param('adId') adId: string) {
    return { adId: adIdParam(adId), ...(await this.hotAds.setSalts(adId, 1)) };
  }
}
