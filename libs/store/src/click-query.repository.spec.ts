import { Pool } from 'pg';
import { ClickQueryRepository, withInvalid } from './click-query.repository';
import { QuestDbUnavailableError } from './pg-pool';

const T = Date.parse('2026-12-01T10:00:00Z');

/** A pool answering by table: rows for the tables it knows, QuestDB's error for the others. */
function poolWith(tables: Record<string, object[]>): Pool {
  const query = (text: string) => {
    const table = /FROM (\w+)/.exec(text)?.[1] ?? '';
    const rows = tables[table];
    return rows ? Promise.resolve({ rows }) : Promise.reject(new Error(`table does not exist [table=${table}]`));
  };
  return { query } as unknown as Pool;
}

describe('ClickQueryRepository', () => {
  it('joins valid minutes with invalid ones per reason, every minute with either present', () => {
    const got = withInvalid(
      [{ ts: T, clicks: 5, late: 1 }],
      [
        { ts: T, reason: 'bot', clicks: 2 },
        { ts: T + 60_000, reason: 'ip_rate', clicks: 3 },
      ],
    );
    expect(got).toEqual([
      { ts: T, clicks: 5, late: 1, invalid: { bot: 2 } },
      { ts: T + 60_000, clicks: 0, late: 0, invalid: { ip_rate: 3 } },
    ]);
  });

  it('answers no invalid clicks while the invalid-click table does not exist yet (gateway upgraded first)', async () => {
    const repo = new ClickQueryRepository(poolWith({ ad_clicks_1m: [{ ts: T, clicks: 4, late: 0 }] }));
    expect(await repo.minuteTotals('ad', T, T + 60_000)).toEqual([{ ts: T, clicks: 4, late: 0 }]);
  });

  it('answers "not yet" (unavailable, 503) while the minute counts table does not exist (no aggregator yet)', async () => {
    const repo = new ClickQueryRepository(poolWith({ ad_invalid_clicks_1m: [] }));
    const read = repo.minuteTotals('ad', T, T + 60_000);
    await expect(read).rejects.toThrow('table does not exist [table=ad_clicks_1m]: no aggregator has created');
    await expect(read).rejects.toBeInstanceOf(QuestDbUnavailableError);
  });

  it('still fails on any other error', async () => {
    const pool = { query: () => Promise.reject(new Error('unexpected token')) } as unknown as Pool;
    const read = new ClickQueryRepository(pool).minuteTotals('ad', T, T + 60_000);
    await expect(read).rejects.toThrow('unexpected token');
  });
});
