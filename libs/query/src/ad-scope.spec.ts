import { adsInScope, AdScopeKind } from './ad-scope';
import { mergeCountryTotals } from './ad-set';
import { FixedAdDirectory } from './fixed-ad-directory';
import { NotVisibleError, Viewer } from './viewer';

const directory = new FixedAdDirectory([
  { adId: 'a1', advertiserId: 'acme', campaignId: 'spring' },
  { adId: 'a2', advertiserId: 'acme', campaignId: 'fall' },
  { adId: 'b1', advertiserId: 'bolt', campaignId: 'spring' },
]);
const ADMIN: Viewer = { kind: 'admin' };
const ACME: Viewer = { kind: 'advertiser', advertiserId: 'acme' };

describe('adsInScope', () => {
  it.each<[AdScopeKind, string, Viewer, string[]]>([
    ['ad', 'a1', ACME, ['a1']],
    ['ad', 'zz', ADMIN, ['zz']],
    ['advertiser', 'acme', ACME, ['a1', 'a2']],
    ['advertiser', 'bolt', ADMIN, ['b1']],
    ['campaign', 'spring', ACME, ['a1']],
    ['campaign', 'spring', ADMIN, ['a1', 'b1']],
  ])('%s %s seen by %o sums %o', async (kind, id, viewer, expected) => {
    expect((await adsInScope(directory, kind, id, viewer)).sort()).toEqual(expected);
  });

  it.each<[AdScopeKind, string, Viewer]>([
    ['ad', 'b1', ACME],
    ['ad', 'zz', ACME],
    ['advertiser', 'bolt', ACME],
    ['advertiser', 'nobody', ADMIN],
    ['campaign', 'fall', { kind: 'advertiser', advertiserId: 'bolt' }],
    ['campaign', 'winter', ADMIN],
  ])('%s %s seen by %o is not visible', async (kind, id, viewer) => {
    await expect(adsInScope(directory, kind, id, viewer)).rejects.toBeInstanceOf(NotVisibleError);
  });
});

describe('mergeCountryTotals', () => {
  it('sums chunks per country, valid clicks descending then country ascending', () => {
    expect(
      mergeCountryTotals([
        [
          { country: 'US', clicks: 3, invalid: 1 },
          { country: 'DE', clicks: 5, invalid: 0 },
        ],
        [
          { country: 'US', clicks: 2, invalid: 0 },
          { country: 'AT', clicks: 0, invalid: 4 },
          { country: 'FR', clicks: 5, invalid: 0 },
        ],
      ]),
    ).toEqual([
      { country: 'DE', clicks: 5, invalid: 0 },
      { country: 'FR', clicks: 5, invalid: 0 },
      { country: 'US', clicks: 5, invalid: 1 },
      { country: 'AT', clicks: 0, invalid: 4 },
    ]);
  });
});
