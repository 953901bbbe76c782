import { Pool } from 'pg';
import { ClickMetrics } from '@clicks/metrics';
import { ADMIN_VIEWER, FixedAdDirectory, TopAdsQuery } from '@clicks/query';
import { AggregateWriter, ClickQueryRepository, createPgPool, ensureSchema, MinuteCountRow } from '@clicks/store';
import { eventually, runId, testConfig } from '../support/test-env';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const MINUTES = 10;
const ADS = 300;

// A random past UTC day per run (2006-2011: the other gateway specs use 2012-2023), so top-N over it sees only
// this run's ads in the shared QuestDB.
const B = Date.UTC(2006, 0, 1) + Math.floor(Math.random() * 2000) * DAY;
const iso = (minute: number) => new Date(B + minute * MIN).toISOString();

describe('top-N from per-minute top lists against QuestDB', () => {
  const config = testConfig({ QUERY_CACHE_MS: '0' });
  const run = runId();
  const ad = (rank: number) => `${run}-ad-${rank}`;
  let pool: Pool;
  let metrics: ClickMetrics;
  let fromLists: TopAdsQuery;
  let groupBy: TopAdsQuery;
  let written = 0;

  /** Skewed clicks over many ads, countries and shards; a deterministic PRNG so a failure can be replayed. */
  function minuteRows(): MinuteCountRow[] {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const counts = new Map<string, MinuteCountRow>();
    for (let m = 0; m < MINUTES; m++) {
      for (let i = 0; i < 3000; i++) {
        const rank = Math.floor(Math.pow(ADS + 1, rand())) - 1;
        const country = ['US', 'DE', 'IN'][Math.floor(rand() * 3)];
        const shard = `s${rank % 4}`;
        const key = `${m}/${rank}/${country}`;
        const row = counts.get(key) ?? { ts: B + m * MIN, adId: ad(rank), country, shard, clicks: 0 };
        row.clicks++;
        counts.set(key, row);
      }
    }
    return [...counts.values()];
  }

  async function write(rows: MinuteCountRow[]): Promise<void> {
    const writer = await AggregateWriter.connect(config.questdb.httpUrl);
    await writer.write(rows);
    await writer.close();
  }

  /** Waits until the base table and the totals view both show `expected` clicks for the run's day. */
  async function settled(expected: number): Promise<void> {
    const repo = new ClickQueryRepository(pool);
    await eventually(
      async () => {
        const base = await pool.query<{ n: number }>(
          'SELECT sum(clicks) n FROM ad_clicks_1m WHERE ts >= $1 AND ts < $2',
          [new Date(B), new Date(B + DAY)],
        );
        const view = await repo.minuteSummaries(B, B + DAY);
        const viewed = [...(view?.values() ?? [])].reduce((s, v) => s + v.clicks, 0);
        return [Number(base.rows[0].n), viewed];
      },
      ([base, viewed]) => base === expected && viewed === expected,
    );
  }

  const served = async (source: string) =>
    (await metrics.querySeconds.get()).values.find(
      (v) => v.metricName?.endsWith('_count') && v.labels.source === source,
    )?.value ?? 0;

  beforeAll(async () => {
    pool = createPgPool(config.questdb.pgUrl);
    await ensureSchema(pool);
    const rows = minuteRows();
    await write(rows);
    written = rows.reduce((s, r) => s + r.clicks, 0);
    await settled(written);
    const repo = new ClickQueryRepository(pool);
    metrics = new ClickMetrics('top-lists-test');
    // Lists of 20 ads over 300: most ads are left out of most lists, so bounds and exact resolving both matter.
    fromLists = new TopAdsQuery(
      testConfig({ QUERY_CACHE_MS: '0', TOP_LIST_SIZE: '20' }),
      repo,
      metrics,
      new FixedAdDirectory(),
    );
    groupBy = new TopAdsQuery(
      testConfig({ QUERY_CACHE_MS: '0', TOP_LIST_SIZE: '0' }),
      repo,
      new ClickMetrics('gb'),
      new FixedAdDirectory(),
    );
  });

  afterAll(async () => {
    await pool.end();
  });

  it.each([
    [1, 0, MINUTES, undefined],
    [5, 0, MINUTES, undefined],
    [10, 0, MINUTES, undefined],
    [20, 0, MINUTES, undefined],
    [10, 2, 5, undefined],
    [3, 7, 8, undefined],
    [10, 0, MINUTES, 'DE'],
    [3, 2, 5, 'IN'],
  ])('top %d over minutes [%d, %d), country %s, equals the GROUP BY over every row', async (n, from, to, country) => {
    const window = { from: iso(from), to: iso(to), n, filter: { country } };
    const want = await groupBy.run(window, ADMIN_VIEWER);
    expect(want.ads).toHaveLength(n);
    expect((await fromLists.run(window, ADMIN_VIEWER)).ads).toEqual(want.ads);
  });

  it('answered from the lists (not the fallback) for small n, with or without a country', async () => {
    const before = await served('top_lists');
    await fromLists.run({ from: iso(0), to: iso(MINUTES), n: 5 }, ADMIN_VIEWER);
    await fromLists.run({ from: iso(0), to: iso(MINUTES), n: 5, filter: { country: 'US' } }, ADMIN_VIEWER);
    expect(await served('top_lists')).toBe(before + 2);
  });

  it("reads every minute's list ahead of queries when warmed, so the next query reads none", async () => {
    const repo = new ClickQueryRepository(pool);
    const listReads = jest.spyOn(repo, 'topAds'); // calls through: counts the list reads
    const warmed = new TopAdsQuery(
      testConfig({ QUERY_CACHE_MS: '0', TOP_LIST_SIZE: '20' }),
      repo,
      metrics,
      new FixedAdDirectory(),
    );
    const now = B + (MINUTES - 1) * MIN; // the last MINUTES minutes are then the run's
    expect(await warmed.warm(MINUTES, 30_000, now)).toBe(MINUTES);
    expect(warmed.cachedLists).toBe(MINUTES);
    expect(listReads).toHaveBeenCalledTimes(MINUTES);
    expect(await warmed.warm(MINUTES, 30_000, now)).toBe(0); // still current for 30 s more
    expect(await warmed.warm(MINUTES, 61_000, now)).toBe(MINUTES); // past the max age by then: renewed
    const window = { from: iso(0), to: iso(MINUTES), n: 5 };
    expect((await warmed.run(window, ADMIN_VIEWER, now)).ads).toEqual((await groupBy.run(window, ADMIN_VIEWER)).ads);
    expect(listReads).toHaveBeenCalledTimes(2 * MINUTES);
  });

  it('sees clicks added to an old minute after its list was computed', async () => {
    const window = { from: iso(0), to: iso(MINUTES), n: 3 };
    // Lists of every minute, of all countries and of US, are now cached.
    await fromLists.run(window, ADMIN_VIEWER);
    await fromLists.run({ ...window, filter: { country: 'US' } }, ADMIN_VIEWER);
    const tail = ad(ADS + 1);
    // A shard that lagged: a new row for a tail ad, and a higher cumulative count for an existing row.
    await write([
      { ts: B + 4 * MIN, adId: tail, country: 'US', shard: 's9', clicks: 100_000 },
      { ts: B + 6 * MIN, adId: tail, country: 'US', shard: 's9', clicks: 1 },
    ]);
    await write([{ ts: B + 6 * MIN, adId: tail, country: 'US', shard: 's9', clicks: 5 }]);
    await settled(written + 100_005);
    const got = await fromLists.run(window, ADMIN_VIEWER);
    expect(got.ads[0]).toEqual({ adId: tail, clicks: 100_005 });
    expect(got.ads).toEqual((await groupBy.run(window, ADMIN_VIEWER)).ads);
    const us = { ...window, filter: { country: 'US' } };
    expect((await fromLists.run(us, ADMIN_VIEWER)).ads[0]).toEqual({ adId: tail, clicks: 100_005 });
  });
});
