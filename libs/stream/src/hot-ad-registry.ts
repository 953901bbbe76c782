import { HotAdEntry, HotAdTable } from '@clicks/routing';
import { ClicksRedis } from './redis-client';
import { CONTROL_KEYS } from './stream-keys';

export interface HotAdCandidate {
  adId: string;
  clicksPerSecond: number;
  shard: string;
  at: number;
}

/** The hot-ad registry in Redis (a hash of adId -> entry), and the candidates the actors report. */
export class HotAdRegistry {
  constructor(private readonly redis: ClicksRedis) {}

  async load(): Promise<HotAdTable> {
    const raw = await this.redis.hgetall(CONTROL_KEYS.hotAds);
    const entries = new Map<string, HotAdEntry>();
    for (const [adId, json] of Object.entries(raw)) entries.set(adId, JSON.parse(json) as HotAdEntry);
    return new HotAdTable(entries);
  }

  /** Sets an ad's salts (1 = not salted), remembering the previous value so de-dup still meets old twins. */
  async setSalts(adId: string, salts: number, now = Date.now()): Promise<HotAdEntry> {
    const current = (await this.load()).saltsFor(adId);
    const entry: HotAdEntry = { salts, previousSalts: current, changedAt: now };
    await this.redis.hset(CONTROL_KEYS.hotAds, adId, JSON.stringify(entry));
    return entry;
  }

  async reportCandidates(candidates: readonly HotAdCandidate[]): Promise<void> {
    if (candidates.length === 0) return;
    const fields = candidates.flatMap((c) => [c.adId, JSON.stringify(c)]);
    await this.redis.hset(CONTROL_KEYS.hotCandidates, ...fields);
  }

  /** Candidates reported within `maxAgeMs`, hottest first; older reports are forgotten. */
  async candidates(now: number, maxAgeMs: number): Promise<HotAdCandidate[]> {
    const raw = await this.redis.hgetall(CONTROL_KEYS.hotCandidates);
    const all = Object.values(raw).map((j) => JSON.parse(j) as HotAdCandidate);
    const stale = all.filter((c) => now - c.at > maxAgeMs).map((c) => c.adId);
    if (stale.length > 0) await this.redis.hdel(CONTROL_KEYS.hotCandidates, ...stale);
    return all.filter((c) => now - c.at <= maxAgeMs).sort((a, b) => b.clicksPerSecond - a.clicksPerSecond);
  }
}
