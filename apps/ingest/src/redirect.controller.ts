import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Post,
  Req,
  Res,
  UseFilters,
  Param,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { isAdId } from '@clicks/ads';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { RedirectClickService } from '@clicks/intake';
import { IntakeErrorFilter } from './intake-error.filter';

/** Browser clicks: an ad server asks for a signed click link per impression; the browser follows it through us. */
@Controller('v1')
@UseFilters(IntakeErrorFilter)
export class RedirectController {
  private readonly log = new Logger(RedirectController.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clicks: RedirectClickService,
  ) {}

  @Post('impressions')
  @HttpCode(201)
  issue(@Body() body: unknown, @Req() req: FastifyRequest) {
    const adId = (body as { adId?: unknown } | null)?.adId;
    if (typeof adId !== 'string' || !isAdId(adId)) {
      throw new BadRequestException({
        error: 'invalid_impression',
        field: 'adId',
        message: 'adId: a registered ad id',
      });
    }
    const base = this.config.redirect.publicBaseUrl || `${req.protocol}://${req.host}`;
    return this.clicks.issue(adId, base);
  }

  /** Counts the click once per impression, then 302 to the ad's registered target (never a URL from the request). */
  @Get('r/:token')
  async redirect(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const request = {
      remoteAddress: req.raw.socket.remoteAddress,
      forwardedFor: req.headers['x-forwarded-for'],
      userAgent: req.headers['user-agent'],
    };
    const outcome = await this.clicks.click(token, request);
    if (outcome.notStored) this.log.warn(`redirect click ${outcome.eventId} lost: ${outcome.notStored}`);
    void reply.code(302).header('location', outcome.targetUrl).header('cache-control', 'no-store').send();
  }
}
