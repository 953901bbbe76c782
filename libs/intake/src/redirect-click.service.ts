import { randomBytes } from 'node:crypto';
import { BlockList } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { AdRegistry } from '@clicks/ads';
import { ClickEvent } from '@clicks/events';
import { isBotAgent } from '@clicks/fraud';
import { ImpressionTokenSigner, SigningKey } from '@clicks/impressions';
import { ClickIntakeService } from './click-intake.service';
import { resolveClientIp, trustedProxyList } from './client-ip';
import { EnqueueUnavailableError, InvalidClickTokenError, UnknownAdError } from './intake-errors';

export interface IssuedImpression {
  impressionId: string;
  token: string;
  clickUrl: string;
  expiresAt: string;
}

/** What the redirect handler knows about the browser's request. */
export interface ClickRequest {
  remoteAddress: string | undefined;
  forwardedFor: string | string[] | undefined;
  userAgent: string | undefined;
}

export interface RedirectOutcome {
  targetUrl: string;
  /** False for a repeated click on the same impression: it still redirects but is not counted again. */
  counted: boolean;
  eventId: string;
  /** Set when Redis could not store the click: the visitor is still redirected, the click is lost (and logged). */
  notStored?: string;
}

const MAX_USER_AGENT = 512;
/** The partner of a click through a link signed before links named theirs. */
const REDIRECT_PARTNER = 'redirect';

/** Browser clicks: signed impressions in, a counted click and the ad's registered target out. */
@Injectable()
export class RedirectClickService {
  private readonly log = new Logger(RedirectClickService.name);
  private readonly signer: ImpressionTokenSigner;
  private readonly trusted: BlockList;
  /** An impression's click is remembered as long as its link is valid, plus the allowed clock skew. */
  private readonly impressionHorizonSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly ads: AdRegistry,
    private readonly intake: ClickIntakeService,
  ) {
    this.signer = new ImpressionTokenSigner(this.signingKeys(config), config.impressions.ttlMs);
    this.trusted = trustedProxyList(config.redirect.trustedProxies);
    this.impressionHorizonSeconds = Math.max(
      config.intake.dedupHorizonSeconds,
      Math.ceil((config.impressions.ttlMs + config.intake.maxFutureSkewMs) / 1000),
    );
  }

  /** A signed click link for one showing of a registered ad; its click is archived under `partnerId`. */
  async issue(adId: string, baseUrl: string, partnerId: string, viewerAgent?: string): Promise<IssuedImpression> {
    if (!(await this.lookUp(adId))) throw new UnknownAdError(adId);
    // Recorded in the link whatever the rules say: whether it makes the click invalid is the aggregator's call.
    const bot = viewerAgent !== undefined && isBotAgent(viewerAgent);
    const s = this.signer.sign(adId, partnerId, undefined, { bot });
    return {
      impressionId: s.impressionId,
      token: s.token,
      clickUrl: `${baseUrl}/v1/r/${s.token}`,
      expiresAt: new Date(s.expiresAt).toISOString(),
    };
  }

  /** The registry is in Redis: when Redis cannot answer, the caller gets a 503 to retry, not a 500. */
  private async lookUp(adId: string) {
    try {
      return await this.ads.get(adId);
    } catch (e) {
      throw new EnqueueUnavailableError(`ad registry unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Verifies the token, counts the click once per impression and returns the ad's registered target. Resolves only
   * once the click is stored (or Redis failed, see `notStored`).
   */
  async click(token: string, req: ClickRequest, now = Date.now()): Promise<RedirectOutcome> {
    const verified = this.signer.verify(token);
    if (!verified.ok) throw new InvalidClickTokenError(verified.reason);
    const { adId, impressionId, partnerId = REDIRECT_PARTNER, issuedAt, bot } = verified.claims;
    const ad = await this.lookUp(adId);
    if (!ad) throw new UnknownAdError(adId);
    const event: ClickEvent = { eventId: `imp:${impressionId}`, adId, ts: now, impressionId, partnerId };
    if (issuedAt !== undefined) event.impressionAt = issuedAt;
    if (bot) event.impressionBot = true;
    const ip = resolveClientIp(req.remoteAddress, req.forwardedFor, this.trusted);
    if (ip) event.ip = ip;
    if (req.userAgent) event.userAgent = req.userAgent.slice(0, MAX_USER_AGENT);
    try {
      const [outcome] = await this.intake.appendEvents([event], this.impressionHorizonSeconds);
      return { targetUrl: ad.targetUrl, counted: outcome === 'appended', eventId: event.eventId };
    } catch (e) {
      if (!(e instanceof EnqueueUnavailableError)) throw e;
      // A browser cannot retry a click: the visitor still reaches the advertiser, the lost click is reported.
      return { targetUrl: ad.targetUrl, counted: false, eventId: event.eventId, notStored: e.message };
    }
  }

  private signingKeys(config: AppConfig): SigningKey[] {
    if (config.impressions.keys.length > 0) return config.impressions.keys;
    this.log.warn('IMPRESSION_KEYS is not set: using a random per-process key (click links die with this process)');
    return [{ id: 'ephemeral', secret: randomBytes(32).toString('base64url') }];
  }
}
