import { AdDirectory, NotVisibleError, Viewer } from './viewer';

/** What a rollup or breakdown sums over: one ad, an advertiser's ads, or a campaign's. */
export type AdScopeKind = 'ad' | 'advertiser' | 'campaign';

/**
 * The ads a viewer may sum under one scope. An advertiser sees only its own: another advertiser's id, ad or
 * campaign answers 404 exactly as an unknown one does, and a campaign sums only the caller's ads in it.
 */
export async function adsInScope(ads: AdDirectory, kind: AdScopeKind, id: string, viewer: Viewer): Promise<string[]> {
  const own = viewer.kind === 'advertiser' ? viewer.advertiserId : undefined;
  switch (kind) {
    case 'ad': {
      if (own !== undefined && (await ads.get(id))?.advertiserId !== own) throw new NotVisibleError('ad', id);
      return [id];
    }
    case 'advertiser': {
      if (own !== undefined && own !== id) throw new NotVisibleError('advertiser', id);
      const adIds = await ads.adsOfAdvertiser(id);
      // The admin asking for an advertiser without ads is most likely a typo; an advertiser's own empty account is 0.
      if (adIds.length === 0 && own === undefined) throw new NotVisibleError('advertiser', id);
      return adIds;
    }
    case 'campaign': {
      const adIds = await ads.adsOfCampaign(id, own);
      if (adIds.length === 0) throw new NotVisibleError('campaign', id);
      return adIds;
    }
  }
}
