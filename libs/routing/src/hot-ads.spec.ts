import { HotAdTable } from './hot-ads';

describe('HotAdTable', () => {
  const t = new HotAdTable(
    new Map([
      ['hot', { salts: 8, previousSalts: 1, changedAt: 1000 }],
      ['cooled', { salts: 1, previousSalts: 4, changedAt: 5000 }],
      ['steady', { salts: 4, previousSalts: 4, changedAt: 0 }],
    ]),
  );

  it.each([
    ['hot', 8],
    ['cooled', 1],
    ['steady', 4],
    ['unknown', 1],
  ])('%s routes with %i salts', (ad, salts) => {
    expect(t.saltsFor(ad)).toBe(salts);
  });

  it.each([
    ['hot', 1500, 1],
    ['hot', 1000 + 900_001, null],
    ['cooled', 6000, 4],
    ['steady', 10, null],
    ['unknown', 10, null],
  ])('previous salts of %s at %i is %p', (ad, now, prev) => {
    expect(t.previousSalts(ad, now, 900_000)).toBe(prev);
  });

  it('lists salted ads only', () => {
    expect(t.hotAds().map((h) => h.adId)).toEqual(['hot', 'steady']);
  });
});
