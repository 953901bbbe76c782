import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Put,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, RequireKey } from '@clicks/accounts';
import { AdRegistry, isAdId, parseAdRegistration } from '@clicks/ads';
import { AdminTokenGuard, RedisUnavailableFilter } from '@clicks/server';

/** The ads registry: where each ad's clicks are redirected. Writes need the admin token; reads a key. */
@Controller('v1/ads')
@UseFilters(RedisUnavailableFilter)
export class AdsController {
  constructor(private readonly ads: AdRegistry) {}

  @Put(':adId')
  @UseGuards(AdminTokenGuard)
  async putAd(@Param('adId') adId: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const parsed = parseAdRegistration(adId, body, Date.now());
    if (!parsed.ok) {
      throw new BadRequestException({
        error: 'invalid_ad',
        field: parsed.error.field,
        message: `${parsed.error.field}: ${parsed.error.message}`,
      });
    }
    const { created } = await this.ads.put(parsed.ad);
    void reply.code(created ? 201 : 200);
    return toBody(parsed.ad);
  }

  /** An advertiser key reads only its own ads; another's answers 404 exactly like an unknown one. */
  @Get(':adId')
  @UseGuards(ApiKeyGuard)
  @RequireKey('advertiser')
  async getAd(@Param('adId') adId: string, @Req() req: FastifyRequest) {
    if (!isAdId(adId)) throw new BadRequestException({ error: 'invalid_ad', param: 'adId', message: 'bad ad id' });
    const ad = await this.ads.get(adId);
    const hidden = req.principal?.kind === 'advertiser' && ad?.advertiserId !== req.principal.advertiserId;
    if (!ad || hidden)
      throw new NotFoundException({ error: 'unknown_ad', adId, message: `ad ${adId} is not registered` });
    return toBody(ad);
  }
}

function toBody(ad: { adId: string; targetUrl: string; advertiserId: string; campaignId: string; updatedAt: number }) {
  return { ...ad, updatedAt: new Date(ad.updatedAt).toISOString() };
}
