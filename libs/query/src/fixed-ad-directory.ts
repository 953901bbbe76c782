import { AdDirectory } from './viewer';

/** Ownership from a fixed table (benchmarks, tests of admin-only queries, and unit tests of scoping). */
export class FixedAdDirectory implements AdDirectory {
  constructor(private readonly ads: readonly { adId: string; advertiserId: string; campaignId: string }[] = []) {}

  get(adId: string): Promise<{ advertiserId: string } | null> {
    return Promise.resolve(this.ads.find((a) => a.adId === adId) ?? null);
  }

  adsOfAdvertiser(advertiserId: string): Promise<string[]> {
    return Promise.resolve(this.ads.filter((a) => a.advertiserId === advertiserId).map((a) => a.adId));
  }

  adsOfCampaign(campaignId: string, advertiserId?: string): Promise<string[]> {
    const of = (a: { advertiserId: string; campaignId: string }) =>
      a.campaignId === campaignId && (advertiserId === undefined || a.advertiserId === advertiserId);
    return Promise.resolve(this.ads.filter(of).map((a) => a.adId));
  }
}
