import { Body, Controller, Get, HttpCode, Inject, Logger, Post, Req, Res, UseGuards, Param } from '@nestjs/common';
import { BlockList } from 'node:net';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyGuard, partnerOf, RequireKey } from '@clicks/accounts';
import { isAdId } from '@clicks/ads';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { RedirectClickService, resolveClientIp, trustedProxyList } from '@clicks/intake';
import { RateLimits } from '@clicks/limits';
import { fieldProblem } from '@clicks/server';

/** The longest viewer user agent an impression request may carry (as much as a redirect click keeps). */
const MAX_VIEWER_AGENT = 512;

/** Browser clicks: an ad server asks for a signed click link per impression; the browser follows it through us. */
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
  async issue(@Body() body: unknown, @Req() req: FastifyRequest) {
    await this.limitClient(req);
    const adId = (body as { adId?: unknown } | null)?.adId;
    if (typeof adId !== 'string' || !isAdId(adId)) {
      throw fieldProblem('invalid-body', 'adId', 'a registered ad id');
    }
    const viewerAgent = (body as { userAgent?: unknown }).userAgent;
    if (viewerAgent !== undefined && (typeof viewerAgent !== 'string' || viewerAgent.length > MAX_VIEWER_AGENT)) {
      throw fieldProblem(
        'invalid-body',
        'userAgent',
        `the viewer's user agent, a string of at most ${MAX_VIEWER_AGENT} characters`,
      );
    }
    const base = this.config.redirect.publicBaseUrl || `${req.protocol}://${req.host}`;
    return this.clicks.issue(adId, base, partnerOf(req.principal), viewerAgent);
  }

  /** Counts the click once per impression, then 302 to the ad's registered target (never a URL from the request). */
  @Get('r/:token')
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
