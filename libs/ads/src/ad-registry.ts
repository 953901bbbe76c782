import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClicksRedis, REDIS, RedisConnection } from '@clicks/stream';
import { Ad } from './ad';
import { AdOwnershipIndex } from './ad-ownership';

const adKey = (adId: string) => `clicks:ad:${adId}`;
/** Every ingest listens here and drops its cached copy of a changed ad. */
export const AD_CHANGES_CHANNEL = 'clicks:ads:changed';
const MAX_CACHED = 10_000;
/** How long an advertiser's or campaign's list of ads is reused (a change of owner shows within this). */
const LIST_TTL_MS = 1000;
const MAX_CACHED_LISTS = 1000;

interface Cached {
  ad: Ad | null;
  at: number;
}

/**
 * The ads registry: stored in Redis (one hash per ad), read through a small in-process cache. A change is published
 * on a channel so every process drops its copy at once; the TTL bounds staleness if a message is missed.
 */
@Injectable()
export class AdRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(AdRegistry.name);
  private readonly cache = new Map<string, Cached>();
  /** Bumped on every invalidation, so a read that started before it does not cache its stale answer. */
  private generation = 0;
  private subscriber: ClicksRedis | undefined;
  private readonly ownership: AdOwnershipIndex;
  private readonly lists = new Map<string, { ads: string[]; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: ClicksRedis,
    private readonly connection: RedisConnection,
  ) {
    this.ownership = new AdOwnershipIndex(redis);
  }

  onModuleInit(): void {
    const sub = this.connection.dedicated('clicks-ads-subscriber');
    this.subscriber = sub;
    sub.on('message', (_channel: string, adId: string) => this.invalidate(adId));
    // After a reconnect, messages sent while we were away are lost: forget everything.
    sub.on('ready', () => this.invalidate());
    // Not awaited: with Redis down at start the app must come up (unready); the subscription waits for Redis.
    sub.subscribe(AD_CHANGES_CHANNEL).catch((e: unknown) => {
      this.log.warn(`ad change subscription failed (cache falls back to its TTL): ${String(e)}`);
    });
  }

  onApplicationShutdown(): void {
    // A subscriber holds nothing to flush; QUIT would wait for a Redis that may be gone.
    this.subscriber?.disconnect();
  }

  async put(ad: Ad): Promise<{ created: boolean }> {
    // The index first: were the process to die in between, a retried PUT repairs the ad itself.
    await this.ownership.setOwner(ad.adId, ad.advertiserId, ad.campaignId);
    const key = adKey(ad.adId);
    const [[, existed]] = (await this.redis
      .multi()
      .exists(key)
      .hset(key, {
        targetUrl: ad.targetUrl,
        advertiserId: ad.advertiserId,
        campaignId: ad.campaignId,
        updatedAt: String(ad.updatedAt),
      })
      .publish(AD_CHANGES_CHANNEL, ad.adId)
      .exec()) as [[Error | null, number]];
    this.invalidate(ad.adId);
    return { created: existed === 0 };
  }

  /** The registered ad, or null; served from the cache while fresh, and from a stale copy while Redis is away. */
  async get(adId: string): Promise<Ad | null> {
    const hit = this.cache.get(adId);
    if (hit && Date.now() - hit.at < this.config.redirect.adCacheTtlMs) return hit.ad;
    const generation = this.generation;
    let h: Record<string, string>;
    try {
      h = await this.redis.hgetall(adKey(adId));
    } catch (e) {
      if (hit) return hit.ad;
      throw e;
    }
    const ad: Ad | null = h.targetUrl
      ? {
          adId,
          targetUrl: h.targetUrl,
          advertiserId: h.advertiserId ?? '',
          campaignId: h.campaignId ?? '',
          updatedAt: Number(h.updatedAt ?? 0),
        }
      : null;
    if (generation === this.generation) this.remember(adId, ad);
    return ad;
  }

  /** The ids of the advertiser's ads (fresh within a second; the last known list while Redis is away). */
  adsOfAdvertiser(advertiserId: string): Promise<string[]> {
    return this.list(`a:${advertiserId}`, () => this.ownership.adsOfAdvertiser(advertiserId));
  }

  /** The ids of the campaign's ads, or of those among them that `advertiserId` owns. */
  adsOfCampaign(campaignId: string, advertiserId?: string): Promise<string[]> {
    return this.list(`c:${campaignId}:${advertiserId ?? ''}`, () =>
      this.ownership.adsOfCampaign(campaignId, advertiserId),
    );
  }

  private async list(key: string, load: () => Promise<string[]>): Promise<string[]> {
    const hit = this.lists.get(key);
    if (hit && Date.now() - hit.at < LIST_TTL_MS) return hit.ads;
    let ads: string[];
    try {
      ads = (await load()).sort();
    } catch (e) {
      if (hit) return hit.ads;
      throw e;
    }
    this.lists.delete(key);
    if (this.lists.size >= MAX_CACHED_LISTS) this.lists.delete(this.lists.keys().next().value ?? '');
    this.lists.set(key, { ads, at: Date.now() });
    return ads;
  }

  private remember(adId: string, ad: Ad | null): void {
    this.cache.delete(adId);
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(adId, { ad, at: Date.now() });
  }

  private invalidate(adId?: string): void {
    this.generation++;
    if (adId === undefined) this.cache.clear();
    else this.cache.delete(adId);
  }
}
