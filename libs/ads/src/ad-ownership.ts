import { ClicksRedis, scanKeys } from '@clicks/stream';

// Under the `{acct}` hash tag with the other account keys: one slot, so one script keeps the index consistent.
const PREFIX = 'clicks:{acct}:';
const OWNERS = `${PREFIX}ad-owner`;
const advertiserAds = (advertiserId: string) => `${PREFIX}advertiser-ads:${advertiserId}`;
const campaignAds = (campaignId: string) => `${PREFIX}campaign-ads:${campaignId}`;
/** Set once every ad registered before the index existed has been entered in it. */
const BACKFILLED = `${PREFIX}ad-owner-backfilled`;

/**
 * Moves an ad to its (advertiser, campaign): the owner hash and both index sets change together, so an ad is listed
 * under exactly one advertiser and one campaign. Ids never hold a newline (validated), which separates them.
 */
const SET_OWNER = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
local new = ARGV[2] .. '\\n' .. ARGV[3]
if old == new or (old and ARGV[5] == 'if-absent') then return 0 end
if old then
  local sep = string.find(old, '\\n', 1, true)
  redis.call('SREM', ARGV[4] .. 'advertiser-ads:' .. string.sub(old, 1, sep - 1), ARGV[1])
  redis.call('SREM', ARGV[4] .. 'campaign-ads:' .. string.sub(old, sep + 1), ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], new)
redis.call('SADD', ARGV[4] .. 'advertiser-ads:' .. ARGV[2], ARGV[1])
redis.call('SADD', ARGV[4] .. 'campaign-ads:' .. ARGV[3], ARGV[1])
return 1
`;

/** Which ads each advertiser and campaign owns: the index behind per-advertiser top-N and rollups. */
export class AdOwnershipIndex {
  constructor(private readonly redis: ClicksRedis) {}

  async setOwner(adId: string, advertiserId: string, campaignId: string): Promise<void> {
    await this.redis.eval(SET_OWNER, 1, OWNERS, adId, advertiserId, campaignId, PREFIX, 'always');
  }

  /**
   * Enters every registered ad the index lacks (ads registered before it existed), once per Redis: returns how many
   * it entered, or null when that was done before. An ad already in the index is left alone, so a PUT racing this
   * keeps its newer owner.
   */
  async backfill(adKeyPrefix: string): Promise<number | null> {
    if ((await this.redis.exists(BACKFILLED)) === 1) return null;
    let entered = 0;
    for await (const keys of scanKeys(this.redis, `${adKeyPrefix}*`)) {
      for (const key of keys) {
        const [advertiserId, campaignId] = await this.redis.hmget(key, 'advertiserId', 'campaignId');
        if (!advertiserId || !campaignId) continue;
        const adId = key.slice(adKeyPrefix.length);
        entered += Number(
          await this.redis.eval(SET_OWNER, 1, OWNERS, adId, advertiserId, campaignId, PREFIX, 'if-absent'),
        );
      }
    }
    await this.redis.set(BACKFILLED, String(Date.now()));
    return entered;
  }

  adsOfAdvertiser(advertiserId: string): Promise<string[]> {
    return this.redis.smembers(advertiserAds(advertiserId));
  }

  /** The campaign's ads, or only those of `advertiserId` among them. */
  adsOfCampaign(campaignId: string, advertiserId?: string): Promise<string[]> {
    return advertiserId === undefined
      ? this.redis.smembers(campaignAds(campaignId))
      : this.redis.sinter(campaignAds(campaignId), advertiserAds(advertiserId));
  }
}
