import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  Put,
  Res,
  UseGuards,
} from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { AdRegistry, isAdId, parseAdRegistration } from '@clicks/ads';
import { AdminTokenGuard } from '@clicks/server';

/** The ads registry: where each ad's clicks are redirected. Writes need the admin token. */
@Controller('v1/ads')
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

  @Get(':adId')
  async getAd(@Param('adId') adId: string) {
    if (!isAdId(adId)) throw new BadRequestException({ error: 'invalid_ad', param: 'adId', message: 'bad ad id' });
    const ad = await this.ads.get(adId);
    if (!ad) throw new NotFoundException({ error: 'unknown_ad', adId, message: `ad ${adId} is not registered` });
    return toBody(ad);
  }
}

function toBody(ad: { adId: string; targetUrl: string; advertiserId: string; campaignId: string; updatedAt: number }) {
  return { ...ad, updatedAt: new Date(ad.updatedAt).toISOString() };
}
