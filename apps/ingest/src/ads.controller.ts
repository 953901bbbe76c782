import { Body, Controller, Get, Param, Put, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, RequireKey } from '@clicks/accounts';
import { AdRegistry, isAdId, parseAdRegistration } from '@clicks/ads';
import { AdminTokenGuard, ApiProblems, fieldProblem, RedisUnavailableFilter } from '@clicks/server';
import { AdDoc, ADMIN_PROBLEMS, KEY_PROBLEMS } from './ingest.docs';

const AD_ID = ApiParam({ name: 'adId', description: '1-64 characters of [A-Za-z0-9._-]' });

/** The ads registry: where each ad's clicks are redirected. Writes need the admin token; reads a key. */
@ApiTags('ads')
@ApiBearerAuth()
@Controller('v1/ads')
@UseFilters(RedisUnavailableFilter)
export class AdsController {
  constructor(private readonly ads: AdRegistry) {}

  @Put(':adId')
  @UseGuards(AdminTokenGuard)
  @ApiOperation({ summary: "Registers or changes an ad: its clicks' target, advertiser and campaign (admin token)" })
  @AD_ID
  @ApiBody({ schema: { $ref: getSchemaPath('AdRegistration') } })
  @ApiOkResponse({ type: AdDoc, description: 'changed' })
  @ApiCreatedResponse({ type: AdDoc, description: 'registered' })
  @ApiProblems([400, 'an invalid adId or body field, named in errors[].field'], ...ADMIN_PROBLEMS)
  async putAd(@Param('adId') adId: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const parsed = parseAdRegistration(adId, body, Date.now());
    if (!parsed.ok) {
      // The ad id comes from the path, every other field from the body.
      const kind = parsed.error.field === 'adId' ? 'invalid-parameter' : 'invalid-body';
      throw fieldProblem(kind, parsed.error.field, parsed.error.message);
    }
    const { created } = await this.ads.put(parsed.ad);
    void reply.code(created ? 201 : 200);
    return toBody(parsed.ad);
  }

  /** An advertiser key reads only its own ads; another's answers 404 exactly like an unknown one. */
  @Get(':adId')
  @UseGuards(ApiKeyGuard)
  @RequireKey('advertiser')
  @ApiOperation({ summary: 'A registered ad (an advertiser key: its own ads only)' })
  @AD_ID
  @ApiOkResponse({ type: AdDoc })
  @ApiProblems(
    [400, 'an invalid adId'],
    ...KEY_PROBLEMS,
    [404, "no such ad, or another advertiser's"],
    [503, 'Redis did not answer (Retry-After)'],
  )
  async getAd(@Param('adId') adId: string, @Req() req: FastifyRequest) {
    if (!isAdId(adId)) throw fieldProblem('invalid-parameter', 'adId', '1-64 characters of [A-Za-z0-9._-]');
    const ad = await this.ads.get(adId);
    const hidden = req.principal?.kind === 'advertiser' && ad?.advertiserId !== req.principal.advertiserId;
    if (!ad || hidden) throw fieldProblem('not-found', 'adId', `ad ${adId} is not registered`);
    return toBody(ad);
  }
}

function toBody(ad: { adId: string; targetUrl: string; advertiserId: string; campaignId: string; updatedAt: number }) {
  return { ...ad, updatedAt: new Date(ad.updatedAt).toISOString() };
}
