import { archivedPerMinuteSql, countedPerMinuteSql } from './reconciliation-sql';

describe('reconciliation SQL', () => {
  const from = Date.UTC(2026, 10, 25, 12);
  const to = from + 3_600_000;

  it.each([
    ['archived', archivedPerMinuteSql, 'FROM clicks_raw', 'count()'],
    ['counted', countedPerMinuteSql, 'FROM ad_clicks_1m', 'sum(clicks)'],
  ] as const)('%s clicks per minute and shard, the ad id a bind parameter', (_name, sql, table, clicks) => {
    const all = sql(from, to);
    expect(all.text).toContain(table);
    expect(all.text).toContain(`SELECT ts, shard, ${clicks} AS clicks`);
    expect(all.text).toContain('SAMPLE BY 1m ALIGN TO CALENDAR');
    expect(all.values).toEqual([new Date(from), new Date(to)]);
    const oneAd = sql(from, to, "ad'1");
    expect(oneAd.text).toContain('ad_id = $3');
    expect(oneAd.text).not.toContain("ad'1");
    expect(oneAd.values).toEqual([new Date(from), new Date(to), "ad'1"]);
  });
});
