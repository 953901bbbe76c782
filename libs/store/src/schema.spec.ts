import { AD_ID_SYMBOL, adIdUpgradeDdl, SCHEMA_DDL } from './schema';

describe('schema', () => {
  it('creates ad_id with the capacity for millions of ads, uncached and indexed, in every table', () => {
    const tables = SCHEMA_DDL.filter((ddl) => ddl.startsWith('CREATE TABLE'));
    expect(tables).toHaveLength(4);
    for (const ddl of tables) expect(ddl).toContain(`ad_id SYMBOL CAPACITY ${AD_ID_SYMBOL.capacity} NOCACHE INDEX`);
  });

  const alter = 'ALTER TABLE t ALTER COLUMN ad_id';
  it.each([
    [
      'an old default ad_id',
      { symbolCapacity: 65_536, symbolCached: true, indexed: false },
      [`${alter} SYMBOL CAPACITY 4194304`, `${alter} NOCACHE`, `${alter} ADD INDEX`],
    ],
    ['an up-to-date ad_id', { symbolCapacity: 4_194_304, symbolCached: false, indexed: true }, []],
    ['a larger capacity', { symbolCapacity: 8_388_608, symbolCached: false, indexed: true }, []],
    [
      'only the index missing',
      { symbolCapacity: 4_194_304, symbolCached: false, indexed: false },
      [`${alter} ADD INDEX`],
    ],
    ['only cached', { symbolCapacity: 4_194_304, symbolCached: true, indexed: true }, [`${alter} NOCACHE`]],
  ])('upgrades %s with %j', (_name, state, expected) => {
    expect(adIdUpgradeDdl('t', state)).toEqual(expected);
  });
});
