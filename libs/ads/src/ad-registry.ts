import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { ClicksRedis, REDIS, RedisConnection, StaleOnErrorCache } from '@clicks/stream';
import { Ad } from './ad';
import { AdOwnershipIndex } from './ad-ownership';

const AD_KEY_PREFIX = 'clicks:ad:';
const adKey = (adId: string) => `${AD_KEY_PREFIX}${adId}`;
/** Every ingest listens here and drops its cached copy of a changed ad. */
export const AD_CHANGES_CHANNEL = 'clicks:ads:changed';
const MAX_CACHED = 10_000;
/** How long an advertiser's or campaign's list of ads is reused (a change of owner shows within this). */
const LIST_TTL_MS = 1000;
const MAX_CACHED_LISTS = 1000;
/** Waits between tries of the ownership backfill (the last one repeats). */
const BACKFILL_RETRY_MS = [1000, 2000, 5000, 10_000];

/**
 * The ads registry: stored in Redis (one hash per ad), read through a small in-process cache. A change is published
 * on a channel so every process drops its copy at once; the TTL bounds staleness if a message is missed.
 */
@Injectable()
export class AdRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(AdRegistry.name);
  /** Ads by id; while Redis is away the last known copy is served. */
  private readonly cache: StaleOnErrorCache<Ad | null>;
  private subscriber: ClicksRedis | undefined;
  private readonly ownership: AdOwnershipIndex;
  /** Advertisers' and campaigns' ad lists, sorted. */
  private readonly lists = new StaleOnErrorCache<string[]>(LIST_TTL_MS, MAX_CACHED_LISTS);
  private backfilling: Promise<void> | null = null;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: ClicksRedis,
    private readonly connection: RedisConnection,
  ) {
    this.ownership = new AdOwnershipIndex(redis);
    this.cache = new StaleOnErrorCache(config.redirect.adCacheTtlMs, MAX_CACHED);
  }

  onModuleInit(): void {
    const sub = this.connection.dedicated('clicks-ads-subscriber');
    this.subscriber = sub;
    sub.on('message', (_channel: string, adId: string) => this.cache.forget(adId));
    // After a reconnect, messages sent while we were away are lost: forget everything. Once Redis answers, enter
    // ads registered before the ownership index existed (done once per Redis).
    sub.on('ready', () => {
      this.cache.forget();
      this.backfilling ??= this.backfillOwnership().finally(() => (this.backfilling = null));
    });
    // Not awaited: with Redis down at start the app must come up (unready); the subscription waits for Redis.
    sub.subscribe(AD_CHANGES_CHANNEL).catch((e: unknown) => {
      this.log.warn(`ad change subscription failed (cache falls back to its TTL): ${String(e)}`);
    });
  }

  /**
   * Tried until it is done, not only on the subscriber's next reconnect: the subscriber can be ready before the main
   * connection, which has no offline queue and fails every command until it is (on a Redis Cluster, which must first
   * learn its slots, the backfill then never ran and ads stored before the index stayed out of it).
   */
  private async backfillOwnership(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const entered = await this.ownership.backfill(AD_KEY_PREFIX);
        if (entered !== null) this.log.log(`ownership index: entered ${entered} ads registered before it existed`);
        return;
      } catch (e) {
        const waitMs = BACKFILL_RETRY_MS[Math.min(attempt, BACKFILL_RETRY_MS.length - 1)];
        this.log.warn(`ownership index backfill failed (trying again in ${waitMs} ms): ${String(e)}`);
        await new Promise((r) => setTimeout(r, waitMs).unref());
      }
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
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
    this.cache.forget(ad.adId);
    return { created: existed === 0 };
  }

  /** The registered ad, or null; served from the cache while fresh, and from a stale copy while Redis is away. */
  get(adId: string): Promise<Ad | null> {
    return this.cache.get(adId, async () => {
      const h = await this.redis.hgetall(adKey(adId));
      if (!h.targetUrl) return null;
      return {
        adId,
        targetUrl: h.targetUrl,
        advertiserId: h.advertiserId ?? '',
        campaignId: h.campaignId ?? '',
        updatedAt: Number(h.updatedAt ?? 0),
      };
    });
  }

  /** The ids of the advertiser's ads (fresh within a second; the last known list while Redis is away). */
  adsOfAdvertiser(advertiserId: string): Promise<string[]> {
    return this.lists.get(`a:${advertiserId}`, async () => (await this.ownership.adsOfAdvertiser(advertiserId)).sort());
  }

  /** The ids of the campaign's ads, or of those among them that `advertiserId` owns. */
  adsOfCampaign(campaignId: string, advertiserId?: string): Promise<string[]> {
    return this.lists.get(`c:${campaignId}:${advertiserId ?? ''}`, async () =>
      (await this.ownership.adsOfCampaign(campaignId, advertiserId)).sort(),
    );
  }
}
