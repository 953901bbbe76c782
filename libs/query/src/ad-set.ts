import pLimit from 'p-limit';
import { AdTotal, ClickQueryRepository, CountryTotal, MinuteTotal } from '@clicks/store';

/** Ads per query: bind parameters stay few, and one chunk's IN list is read through the ad_id index. */
export const AD_SET_CHUNK = 1000;
const CHUNKS_AT_ONCE = 3;

export function chunksOf<T>(items: readonly T[], size = AD_SET_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The `n` most clicked of the given ads' totals: clicks descending, then ad id ascending. Exact when merged from
 * chunks, since each ad's whole total lives in one chunk.
 */
export function topOfTotals(totals: readonly Map<string, number>[], n: number): AdTotal[] {
  const all: AdTotal[] = [];
  for (const m of totals) for (const [adId, clicks] of m) all.push({ adId, clicks });
  all.sort((a, b) => b.clicks - a.clicks || (a.adId < b.adId ? -1 : a.adId > b.adId ? 1 : 0));
  return all.slice(0, n);
}

/** Per-minute totals of several chunks summed per minute, ascending by minute. */
export function sumMinuteTotals(parts: readonly MinuteTotal[][]): MinuteTotal[] {
  const byMinute = new Map<number, MinuteTotal>();
  for (const part of parts) {
    for (const m of part) {
      const sum = byMinute.get(m.ts) ?? { ts: m.ts, clicks: 0, late: 0 };
      sum.clicks += m.clicks;
      sum.late = (sum.late ?? 0) + (m.late ?? 0);
      for (const [reason, n] of Object.entries(m.invalid ?? {})) {
        sum.invalid ??= {};
        sum.invalid[reason] = (sum.invalid[reason] ?? 0) + n;
      }
      byMinute.set(m.ts, sum);
    }
  }
  return [...byMinute.values()].sort((a, b) => a.ts - b.ts);
}

/** Sums per-country totals of several chunks; valid clicks descending, then country ascending. */
export function mergeCountryTotals(parts: readonly CountryTotal[][]): CountryTotal[] {
  const byCountry = new Map<string, CountryTotal>();
  for (const part of parts) {
    for (const t of part) {
      const sum = byCountry.get(t.country) ?? { country: t.country, clicks: 0, invalid: 0 };
      sum.clicks += t.clicks;
      sum.invalid += t.invalid;
      byCountry.set(t.country, sum);
    }
  }
  return [...byCountry.values()].sort(
    (a, b) => b.clicks - a.clicks || (a.country < b.country ? -1 : a.country > b.country ? 1 : 0),
  );
}

/** Reads over a set of ads (an advertiser's, a campaign's) a chunk at a time. */
export class AdSetReader {
  private readonly limit = pLimit(CHUNKS_AT_ONCE);

  constructor(private readonly repository: ClickQueryRepository) {}

  async top(adIds: readonly string[], from: number, to: number, n: number, country?: string): Promise<AdTotal[]> {
    const totals = await Promise.all(
      chunksOf(adIds).map((c) => this.limit(() => this.repository.adTotals(from, to, c, country))),
    );
    return topOfTotals(totals, n);
  }

  async minuteTotals(adIds: readonly string[], from: number, to: number, country?: string): Promise<MinuteTotal[]> {
    const parts = await Promise.all(
      chunksOf(adIds).map((c) => this.limit(() => this.repository.adsMinuteTotals(c, from, to, country))),
    );
    return sumMinuteTotals(parts);
  }

  async countryTotals(adIds: readonly string[], from: number, to: number): Promise<CountryTotal[]> {
    const parts = await Promise.all(
      chunksOf(adIds).map((c) => this.limit(() => this.repository.countryTotals(c, from, to))),
    );
    return mergeCountryTotals(parts);
  }
}
