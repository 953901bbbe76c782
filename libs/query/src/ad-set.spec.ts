import { chunksOf, sumMinuteTotals, topOfTotals } from './ad-set';
import { FixedAdDirectory } from './fixed-ad-directory';
import { QueryParamError } from './time-range';
import { checkRawFilters, QueryForbiddenError } from './viewer';

const HOUR = 3_600_000;

describe('reads over a set of ads', () => {
  it.each([
    [[], 2, []],
    [[1, 2, 3], 2, [[1, 2], [3]]],
    [[1, 2], 2, [[1, 2]]],
  ])('chunks %j by %i', (items, size, want) => {
    expect(chunksOf(items, size)).toEqual(want);
  });

  it('ranks the totals of all chunks: clicks descending, then ad id ascending, n of them', () => {
    const got = topOfTotals(
      [
        new Map([
          ['b', 5],
          ['a', 1],
        ]),
        new Map([
          ['c', 5],
          ['d', 9],
        ]),
      ],
      3,
    );
    expect(got).toEqual([
      { adId: 'd', clicks: 9 },
      { adId: 'b', clicks: 5 },
      { adId: 'c', clicks: 5 },
    ]);
  });

  it('sums the minutes of all chunks, late clicks included', () => {
    expect(
      sumMinuteTotals([
        [{ ts: 60, clicks: 2, late: 1 }],
        [
          { ts: 0, clicks: 1, late: 0 },
          { ts: 60, clicks: 3, late: 0 },
        ],
      ]),
    ).toEqual([
      { ts: 0, clicks: 1, late: 0 },
      { ts: 60, clicks: 5, late: 1 },
    ]);
  });

  it('scopes a fixed directory by advertiser and campaign', async () => {
    const dir = new FixedAdDirectory([
      { adId: 'a1', advertiserId: 'A', campaignId: 'c' },
      { adId: 'b1', advertiserId: 'B', campaignId: 'c' },
    ]);
    expect(await dir.adsOfCampaign('c')).toEqual(['a1', 'b1']);
    expect(await dir.adsOfCampaign('c', 'B')).toEqual(['b1']);
    expect(await dir.adsOfAdvertiser('A')).toEqual(['a1']);
    expect(await dir.get('zz')).toBeNull();
  });
});

describe('raw-archive filters', () => {
  const day = { from: 0, to: 24 * HOUR };
  const admin = { kind: 'admin' } as const;
  const advertiser = { kind: 'advertiser', advertiserId: 'A' } as const;

  it.each([
    ['no raw filter, advertiser', {}, advertiser, { from: 0, to: 48 * HOUR }, null],
    ['country, advertiser', { country: 'DE' }, advertiser, day, null],
    ['ip, advertiser', { ip: '10.0.0.1' }, advertiser, day, QueryForbiddenError],
    ['userId, advertiser', { userId: 'u' }, advertiser, day, QueryForbiddenError],
    ['ip, admin, 24 h', { ip: '10.0.0.1' }, admin, day, null],
    ['userId, admin, 25 h', { userId: 'u' }, admin, { from: 0, to: 25 * HOUR }, QueryParamError],
  ])('%s', (_name, filters, viewer, range, error) => {
    const check = () => checkRawFilters(filters, viewer, range, 24 * HOUR, 'minutes');
    if (error === null) expect(check).not.toThrow();
    else expect(check).toThrow(error);
  });
});
