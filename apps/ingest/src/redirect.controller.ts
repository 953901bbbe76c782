import { Body, Controller, Get, HttpCode, Inject, Logger, Post, Req, Res, UseGuards, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { BlockList } from 'node:net';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, partnerOf, RequireKey } from '@clicks/accounts';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { RedirectClickService, resolveClientIp, trustedProxyList } from '@clicks/intake';
import { RateLimits } from '@clicks/limits';
import { ApiProblems, fieldProblem } from '@clicks/server';
import { impressionBody, MAX_VIEWER_AGENT } from './bodies';
import { ImpressionDoc, KEY_PROBLEMS } from './ingest.docs';

const CLIENT_SPENT: [number, string] = [429, "the client address's per-second budget is spent (Retry-After)"];

/** Browser clicks: an ad server asks for a signed click link per impression; the browser follows it through us. */
@ApiTags('impressions')
@Controller('v1')
export class RedirectController {
  private readonly log = new Logger(RedirectController.name);
  private readonly trusted: BlockList;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clicks: RedirectClickService,
    private readonly limits: RateLimits,
  ) {
    this.trusted = trustedProxyList(config.redirect.trustedProxies);
  }

  /** Spends one request of the client address's per-second budget (429 beyond; nothing is stored then). */
  private async limitClient(req: FastifyRequest): Promise<void> {
    const ip = resolveClientIp(req.raw.socket.remoteAddress, req.headers['x-forwarded-for'], this.trusted);
    await this.limits.consume('client_ip', ip ?? 'unknown');
  }

  /**
   * Minting links is a partner's (an ad server's) job: a partner key or the admin token. The ad server may pass the
   * viewer's user agent: a link minted for a bot makes its click invalid (`bot`).
   */
  @Post('impressions')
  @HttpCode(201)
  @UseGuards(ApiKeyGuard)
  @RequireKey('partner')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A signed click link for one impression of a registered ad (a partner key)' })
  @ApiBody({ schema: { $ref: getSchemaPath('ImpressionInput') } })
  @ApiCreatedResponse({ type: ImpressionDoc })
  @ApiProblems(
    [400, 'an invalid adId or userAgent, named in errors[].field'],
    ...KEY_PROBLEMS,
    [404, 'the ad is not registered'],
    CLIENT_SPENT,
    [503, 'Redis did not answer (Retry-After)'],
  )
  async issue(@Body() body: unknown, @Req() req: FastifyRequest) {
    await this.limitClient(req);
    const parsed = impressionBody.safeParse(body ?? {});
    if (!parsed.success) {
      if (parsed.error.issues[0]?.path[0] !== 'userAgent') {
        throw fieldProblem('invalid-body', 'adId', 'a registered ad id');
      }
      const message = `the viewer's user agent, a string of at most ${MAX_VIEWER_AGENT} characters`;
      throw fieldProblem('invalid-body', 'userAgent', message);
    }
    const { adId, userAgent } = parsed.data;
    const base = this.config.redirect.publicBaseUrl || `${req.protocol}://${req.host}`;
    return this.clicks.issue(adId, base, partnerOf(req.principal), userAgent);
  }

  /** Counts the click once per impression, then 302 to the ad's registered target (never a URL from the request). */
  @Get('r/:token')
  @ApiOperation({ summary: "A browser's click on an impression's link (public): counted once, then redirected" })
  @ApiParam({ name: 'token', description: 'the signed token from the clickUrl of POST /v1/impressions' })
  @ApiResponse({
    status: 302,
    description: "to the ad's registered target URL (also when the click could not be stored: it is logged)",
    headers: { Location: { description: "the ad's targetUrl", schema: { type: 'string' } } },
  })
  @ApiProblems(
    [400, 'a forged, tampered, malformed or expired token (errors[].field: token); the click is not counted'],
    [404, 'the ad is no longer registered'],
    CLIENT_SPENT,
    [503, 'the ads registry did not answer (Retry-After)'],
  )
  async redirect(@Param('token') token: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.limitClient(req);
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
