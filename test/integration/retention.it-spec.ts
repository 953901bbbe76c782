import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AggregateWriter, createPgPool, RawArchiveWriter } from '@clicks/store';
import { createAggregatorApp } from '../../apps/aggregator/src/aggregator.app';
import { freePortAsync } from '../support/ports';
import { eventually, runId, startApp, testConfig } from '../support/test-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require('../../scripts/lib/stack') as {
  startQuestDb(o: Record<string, unknown>): Promise<{ httpUrl: string; pgUrl: string; stop(): Promise<void> }>;
};

const DAY = 24 * 3_600_000;

/**
 * Retention is enforced, not only documented: the aggregator sets QuestDB's TTL from ARCHIVE_RETENTION_DAYS and
 * AGGREGATE_RETENTION_DAYS, and QuestDB drops the partitions beyond it. A QuestDB of its own: the shared one holds
 * other tests' rows from years ago.
 */
describe('retention of the raw archive and the minute aggregates', () => {
  let questdb: Awaited<ReturnType<typeof stack.startQuestDb>>;
  let aggregator: { app: NestFastifyApplication; url: string } | undefined;

  beforeAll(async () => {
    const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? '/tmp', 'retention-'));
    const [httpPort, pgPort, ilpPort, minPort] = await Promise.all([1, 2, 3, 4].map(() => freePortAsync()));
    questdb = await stack.startQuestDb({ dir, httpPort, pgPort, ilpPort, minPort });
  }, 120_000);

  afterAll(async () => {
    await aggregator?.app.close();
    await questdb?.stop();
  });

  it('drops raw clicks older than ARCHIVE_RETENTION_DAYS and aggregates older than AGGREGATE_RETENTION_DAYS', async () => {
    const config = testConfig({
      QUESTDB_HTTP_URL: questdb.httpUrl,
      QUESTDB_PG_URL: questdb.pgUrl,
      ARCHIVE_RETENTION_DAYS: '31',
      AGGREGATE_RETENTION_DAYS: '400',
      SHARD_COUNT: '2',
    });
    aggregator = await startApp(createAggregatorApp(config));
    const pool = createPgPool(questdb.pgUrl, 1);
    try {
      const ttl = () =>
        pool
          .query<{ table_name: string; ttlValue: number; ttlUnit: string }>(
            "SELECT table_name, ttlValue, ttlUnit FROM tables() WHERE table_name IN ('clicks_raw', 'ad_clicks_1m', 'ad_clicks_1m_totals') ORDER BY table_name",
          )
          .then((r) => r.rows.map((t) => `${t.table_name} ${Number(t.ttlValue)} ${t.ttlUnit}`));
      await eventually(ttl, (t) => t.join() === 'ad_clicks_1m 400 DAY,ad_clicks_1m_totals 400 DAY,clicks_raw 31 DAY');

      const run = runId();
      const now = Date.now();
      const raw = await RawArchiveWriter.connect(questdb.httpUrl);
      const ag = await AggregateWriter.connect(questdb.httpUrl);
      const rawRow = (ageDays: number) => ({
        ts: now - ageDays * DAY,
        eventId: `${run}-${ageDays}`,
        adId: `${run}-ad`,
        shard: 's0',
        country: 'DE',
      });
      const minute = (ageDays: number) => ({
        ts: Math.floor((now - ageDays * DAY) / 60_000) * 60_000,
        adId: `${run}-ad`,
        country: 'DE',
        shard: 's0',
        clicks: ageDays,
      });
      await raw.write([rawRow(40), rawRow(20), rawRow(0)]);
      await ag.write([minute(420), minute(380), minute(0)]);
      await Promise.all([raw.close(), ag.close()]);

      const kept = (sql: string) => () =>
        pool.query<{ v: string }>(sql, [`${run}-ad`]).then((r) => r.rows.map((x) => x.v));
      await eventually(
        kept('SELECT event_id v FROM clicks_raw WHERE ad_id = $1 ORDER BY ts'),
        (ids) => ids.join() === [`${run}-20`, `${run}-0`].join(),
      );
      await eventually(
        kept('SELECT clicks v FROM ad_clicks_1m WHERE ad_id = $1 ORDER BY ts'),
        (clicks) => clicks.map(Number).join() === '380,0',
      );
    } finally {
      await pool.end();
    }
  });
});
