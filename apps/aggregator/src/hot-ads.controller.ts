import { Body, Controller, Delete, Get, Param, Put, UseFilters, UseGuards } from '@nestjs/common';
import { HotAdAdminService } from '@clicks/actor';
import { MAX_SALTS } from '@clicks/routing';
import { AdminTokenGuard, fieldProblem, RedisUnavailableFilter } from '@clicks/server';

const AD_ID = /^[A-Za-z0-9._-]{1,64}$/;

function adIdParam(adId: string): string {
  if (!AD_ID.test(adId)) throw fieldProblem('invalid-parameter', 'adId', '1-64 characters of [A-Za-z0-9._-]');
  return adId;
}

@Controller('v1/admin/hot-ads')
@UseGuards(AdminTokenGuard)
@UseFilters(RedisUnavailableFilter)
export class HotAdsController {
  constructor(private readonly hotAds: HotAdAdminService) {}

  @Get()
  async list() {
    return { hotAds: await this.hotAds.list() };
  }

  /** Ads the actors saw above HOT_AD_THRESHOLD clicks/s in the last minute. */
  @Get('candidates')
  async candidates() {
    return { candidates: await this.hotAds.candidates() };
  }

  /** `{"salts": k}`: the ad's events route by `adId#(hash(eventId) mod k)` from now on. */
  @Put(':adId')
  async salt(@Param('adId') adId: string, @Body() body: unknown) {
    const salts = (body as { salts?: unknown } | null)?.salts;
    if (typeof salts !== 'number' || !Number.isInteger(salts) || salts < 1 || salts > MAX_SALTS) {
      throw fieldProblem('invalid-body', 'salts', `an integer from 1 to ${MAX_SALTS}`);
    }
    return { adId: adIdParam(adId), ...(await this.hotAds.setSalts(adId, salts)) };
  }

  @Delete(':adId')
  async unsalt(@Param('adId') adId: string) {
    return { adId: adIdParam(adId), ...(await this.hotAds.setSalts(adId, 1)) };
  }
}
